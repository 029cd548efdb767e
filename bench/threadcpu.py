"""CPU time of a cem process's threads by owner: the embedded lab's servers, or cem itself.

Usage: threadcpu.py PID   (PID: the process that runs java, e.g. /usr/bin/time; its java child is found)

Polls /proc/JAVA/task/*/stat every 250 ms until the process ends and keeps each thread's last
reading (a thread that ends between two readings loses under 250 ms). Lab threads are the ones
the lab names: its WinRM listener (lab-winrm, and the JDK's HTTP-Dispatcher that accepts and
handshakes for it), its SSH server (sshd-*: MINA's nio2 threads), its command runners (lab-*).
Prints one JSON object: {"lab_threads_cpu_s": …, "cem_threads_cpu_s": …}.
"""
import json
import os
import sys
import time

LAB = ("lab-", "sshd-", "HTTP-Dispatcher")


def java_child(pid):
    deadline = time.time() + 10
    while time.time() < deadline:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        stat = f.read()
                except OSError:
                    continue
                fields = stat[stat.rindex(")") + 2:].split()
                if int(fields[1]) == pid and "java" in stat[stat.index("(") + 1:stat.rindex(")")]:
                    return int(entry)
        if not os.path.exists(f"/proc/{pid}"):
            return None
        time.sleep(0.02)
    return None


def main():
    pid = java_child(int(sys.argv[1]))
    ticks = os.sysconf("SC_CLK_TCK")
    threads = {}
    while pid and os.path.exists(f"/proc/{pid}"):
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            break
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            threads[tid] = (name, int(fields[11]) + int(fields[12]))
        time.sleep(0.25)
    lab = sum(t for n, t in threads.values() if n.startswith(LAB)) / ticks
    cem = sum(t for n, t in threads.values() if not n.startswith(LAB)) / ticks
    print(json.dumps({"lab_threads_cpu_s": round(lab, 2), "cem_threads_cpu_s": round(cem, 2)}))


if __name__ == "__main__":
    main()
