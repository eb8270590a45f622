"""The peak resident memory of this process, for the start-up probes to report as they exit."""

import resource


def peak_rss_kb() -> int:
    """VmHWM where Linux gives it: getrusage's figure starts from the parent's size at fork."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
