/*  fuzz_fields — libFuzzer target for the text fields intake parses beyond
    the codec: ISO 8601 times (cg_time_parse) and decimal-degree
    coordinates (place_coord).  Any input must be refused or give a value
    in range; an accepted time must survive cg_time_iso and parse again to
    the same second. */
#include "cg_clock.h"
#include "place.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size > 64)
        return 0;
    char text[65];
    memcpy (text, data, size);
    text[size] = 0;
    int64_t ms, again;
    char why[96];
    if (cg_time_parse (text, &ms, why, sizeof why) == 0) {
        char iso[40];
        cg_time_iso (ms, iso, sizeof iso);
        if (ms < 0 || cg_time_parse (iso, &again, why, sizeof why) || again / 1000 != ms / 1000)
            abort ();
    }
    double degrees;
    if (place_coord (text, 180, &degrees) == 0 && (degrees < -180 || degrees > 180))
        abort ();
    return 0;
}
