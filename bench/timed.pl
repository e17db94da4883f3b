#!/usr/bin/perl
# timed.pl TIMEOUT_S OUTFILE CMD [ARGS...]
#
# Runs CMD (no shell; stdin/stdout/stderr inherited) and writes its wall time
# in seconds, from CLOCK_MONOTONIC, to OUTFILE, and on a second line the CPU
# time (user + system) CMD and its children used. Exits with CMD's status, or
# 124 if it ran longer than TIMEOUT_S (then CMD gets SIGTERM, SIGKILL 2 s
# later). The clock starts just before fork and stops just after waitpid, so
# the wrapper adds only a fork/exec to the measured time (same for every
# client). Used by bench/run.sh.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($timeout, $out, @cmd) = @ARGV;
die "usage: timed.pl TIMEOUT_S OUTFILE CMD [ARGS...]\n" unless defined $out && @cmd;

my $t0 = clock_gettime(CLOCK_MONOTONIC);
my $pid = fork() // die "timed.pl: fork: $!\n";
if ($pid == 0) {
    exec { $cmd[0] } @cmd or do { print STDERR "timed.pl: exec $cmd[0]: $!\n"; POSIX::_exit(127) };
}
my $timed_out = 0;
local $SIG{ALRM} = sub {
    $timed_out = 1;
    kill 'TERM', $pid;
    $SIG{ALRM} = sub { kill 'KILL', $pid };
    alarm 2;
};
alarm $timeout if $timeout > 0;
my $waited;
do { $waited = waitpid($pid, 0) } while ($waited == -1 && $!{EINTR});
my $status = $?;
my $t1 = clock_gettime(CLOCK_MONOTONIC);
alarm 0;

my (undef, undef, $child_user, $child_system) = times;

open my $fh, '>', $out or die "timed.pl: $out: $!\n";
printf $fh "%.6f\n%.3f\n", $t1 - $t0, $child_user + $child_system;
close $fh;
exit 124 if $timed_out;
exit(($status & 127) ? 128 + ($status & 127) : $status >> 8);
