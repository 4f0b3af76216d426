# results.gp — draws `make bench`'s ladder of offered loads (loads.dat,
# written by civgrid-bench): throughput against offered load, and latency
# percentiles from submission to case.dispatched against offered load.
# Points are medians of the repeats; bars run from min to max.
# The sustained rate and the store bound (limits.gp) are drawn as lines.
# gnuplot -e "data='build/bench/loads.dat'; limits='build/bench/limits.gp';
#             output='build/bench/results.png'" bench/results.gp
load limits
set terminal pngcairo size 1200,520 font ",10"
set output output
set multiplot layout 1,2 title "civgrid: submission -> case.dispatched (inbox written)"
set grid
set key top left
set logscale x
set xrange [500:*]
set xlabel "offered load (cases/s)"

set title "throughput"
set ylabel "cases/s"
set logscale y
plot data using 1:2:3:4 with yerrorlines lw 2 title "achieved (median, min-max)", \
     data using 1:1 with lines dt 2 lc rgb "gray" title "offered", \
     sustained with lines dt 3 lc rgb "blue" title "sustained at full speed", \
     store_bound with lines dt 4 lc rgb "red" title "store bound (1 s / Redis CPU per case)"

set title "latency"
set ylabel "ms"
plot data using 1:5:6:7 with yerrorlines lw 2 title "p50", \
     data using 1:8:9:10 with yerrorlines lw 2 title "p99", \
     data using 1:11:12:13 with yerrorlines lw 2 title "p99.9", \
     5 with lines dt 2 lc rgb "red" title "target p99 at 2,000/s"
unset multiplot
