/*  test_points - the rules of resident points (services/fund/points.c) as
    functions of their inputs, with no Redis: what each act earns, the cap
    per day and kind and the cap of the day cutting an award to what is
    left, prices, the shipped file, and every refusal of a bad file as
    "path:LINE: reason". */
#include "points.h"
#include "cg_testfile.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#define S_GOOD \
    "# act points cap name\n" \
    "earn\tattend\t10\t20\t参加议事协商会议\n" \
    "earn\tvolunteer\t5\t15\t志愿服务\n" \
    "earn\tcase\t5\t10\t有效反映\n" \
    "cap\tday\t30\n" \
    "price\trice\t20\n"

static points_t *
s_rules (const char *content)
{
    char *path = cg_testfile_text (content);
    char err[512] = "";
    points_t *rules = points_load (path, err, sizeof err);
    cr_assert (rules, "%s", err);
    cg_testfile_remove (&path);
    return rules;
}

static void *
s_load (const char *path, char *err, size_t errlen)
{
    return points_load (path, err, errlen);
}

static void
s_refused (const char *content, size_t lineno, const char *reason)
{
    cg_testfile_refused (s_load, content, lineno, reason);
}

Test (points, an_act_earns_its_points_until_its_cap_for_the_day)
{
    points_t *rules = s_rules (S_GOOD);
    /*  a meeting earns 10; the second of the day 10 more; the third none
        (the day's cap for meetings is 20) */
    cr_assert_eq (points_award (rules, POINTS_ATTEND, 0, 0), 10);
    cr_assert_eq (points_award (rules, POINTS_ATTEND, 10, 10), 10);
    cr_assert_eq (points_award (rules, POINTS_ATTEND, 20, 20), 0);
    /*  a cap not a multiple of the points: 15 for volunteering, 5 each,
        and one that would pass it is cut to what is left */
    cr_assert_eq (points_award (rules, POINTS_VOLUNTEER, 12, 12), 3);
    cr_assert_eq (points_award (rules, POINTS_CASE, 10, 10), 0);
    points_destroy (&rules);
    cr_assert_null (rules);
    points_destroy (&rules);
}

Test (points, the_day_cap_of_all_acts_cuts_every_kind)
{
    points_t *rules = s_rules (S_GOOD);
    /*  20 from meetings and 5 from a case: 25 of the day's 30; a
        volunteer service earns the 5 left, then nothing, though its own
        cap (15) is far */
    cr_assert_eq (points_award (rules, POINTS_VOLUNTEER, 0, 25), 5);
    cr_assert_eq (points_award (rules, POINTS_VOLUNTEER, 5, 30), 0);
    cr_assert_eq (points_award (rules, POINTS_CASE, 0, 28), 2);
    /*  a count past the cap (the rules were lowered by a reload) earns nothing, never less */
    cr_assert_eq (points_award (rules, POINTS_ATTEND, 40, 40), 0);
    points_destroy (&rules);
}

Test (points, acts_and_prices_are_named)
{
    points_t *rules = s_rules (S_GOOD);
    cr_assert_eq (points_act ("attend"), POINTS_ATTEND);
    cr_assert_eq (points_act ("case"), POINTS_CASE);
    cr_assert_eq (points_act ("vote"), -1);
    cr_assert_str_eq (points_act_name (POINTS_VOLUNTEER), "volunteer");
    cr_assert_eq (points_price (rules, "rice"), 20);
    cr_assert_eq (points_price (rules, "gold"), 0, "an item without a price is not for points");
    size_t line;
    cr_assert_str_eq (points_priced_item (rules, 0, &line), "rice");
    cr_assert_eq (line, 6);
    cr_assert_null (points_priced_item (rules, 1, &line));
    points_destroy (&rules);
}

Test (points, the_shipped_rules_load)
{
    char *path = cg_testfile_demo ("points.tsv");
    char err[512] = "";
    points_t *rules = points_load (path, err, sizeof err);
    cr_assert (rules, "%s", err);
    cr_assert_str_eq (points_path (rules), path);
    cr_assert_gt (points_award (rules, POINTS_CASE, 0, 0), 0);
    points_destroy (&rules);
    free (path);
}

Test (points, a_bad_file_is_refused_naming_line_and_field)
{
    s_refused ("earn\tattend\t10\t20\n", 1, "an earn line is: earn ACT POINTS DAY_CAP NAME "
               "(4 fields)");
    s_refused ("earn\tvote\t10\t20\t投票\n", 1, "act 'vote': attend, volunteer or case");
    s_refused ("earn\tattend\tten\t20\t会议\n", 1, "act attend: points 'ten' must be a whole "
               "number from 1 to 100000");
    s_refused ("earn\tattend\t10\t5\t会议\n", 1, "act attend: day_cap '5' must be a whole number "
               "from the act's points (10) to 100000");
    s_refused ("earn\tattend\t10\t20\t会议\nearn\tattend\t10\t20\t会议\n", 2,
               "act attend is listed twice");
    s_refused ("cap\tday\t0\n", 1, "cap day: points '0' must be a whole number from 1 to 100000");
    s_refused ("cap\tweek\t10\n", 1, "a cap line is: cap day POINTS");
    s_refused ("price\trice\t-3\n", 1, "price of rice: points '-3' must be a whole number from "
               "1 to 100000");
    s_refused (S_GOOD "price\trice\t30\n", 7, "price of rice is given twice");
    s_refused ("bonus\tx\t1\n", 1, "'bonus': a line is earn, cap or price");
    s_refused ("earn\tattend\t10\t20\t会议\ncap\tday\t30\n", 2, "act volunteer has no earn line");
    s_refused ("earn\tattend\t10\t20\t会议\nearn\tvolunteer\t5\t15\t志愿\nearn\tcase\t5\t10\t案件\n",
               3, "the day's cap (cap day POINTS) is missing");
}
