#!/bin/sh
# Prints what a benchmark result needs about the machine it ran on: date, cores, CPU, memory, kernel, load and the
# busiest processes. The run scripts write it to their result directory's machine.txt before a run.
echo "date: $(date -u)"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "memory: $(free -m | awk '/Mem:/ {print $2 " MiB"}')"
echo "kernel: $(uname -r)"
echo "uptime before: $(uptime)"
echo "top before:"
top -b -n1 -o %CPU | head -15
