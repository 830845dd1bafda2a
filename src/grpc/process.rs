//! Process metrics read from `/proc/self` on each scrape (Linux only; elsewhere the collector
//! writes nothing): CPU seconds, resident and virtual memory, open and maximum file
//! descriptors, threads and start time, under the names Prometheus' client libraries use
//! (`process_*`), so dashboards made for other services read them unchanged.
//! prometheus-client has no process collector of its own.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Writes the `process_*` metrics on each scrape.
#[derive(Debug, Default)]
pub struct ProcessCollector;

/// One reading of `/proc/self`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProcessStats {
    pub cpu_seconds: f64,
    pub resident_bytes: u64,
    pub virtual_bytes: u64,
    pub threads: u64,
    pub start_time_seconds: f64,
    pub open_fds: u64,
    pub max_fds: Option<u64>,
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(stats) = read() else {
            return Ok(());
        };
        let counter = ConstCounter::new(stats.cpu_seconds);
        counter.encode(encoder.encode_descriptor(
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds",
            None,
            counter.metric_type(),
        )?)?;
        let gauges: [(&str, &str, Option<f64>); 6] = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                Some(stats.resident_bytes as f64),
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes",
                Some(stats.virtual_bytes as f64),
            ),
            (
                "process_open_fds",
                "Number of open file descriptors",
                Some(stats.open_fds as f64),
            ),
            (
                "process_max_fds",
                "Maximum number of open file descriptors",
                stats.max_fds.map(|n| n as f64),
            ),
            (
                "process_threads",
                "Number of OS threads in the process",
                Some(stats.threads as f64),
            ),
            (
                "process_start_time_seconds",
                "Start time of the process since the Unix epoch in seconds",
                Some(stats.start_time_seconds),
            ),
        ];
        for (name, help, value) in gauges {
            if let Some(value) = value {
                let gauge = ConstGauge::new(value);
                gauge.encode(encoder.encode_descriptor(
                    name,
                    help,
                    None,
                    gauge.metric_type(),
                )?)?;
            }
        }
        Ok(())
    }
}

/// The process as `/proc/self` shows it now; `None` where there is no `/proc` (not Linux) or
/// it does not read as expected.
pub fn read() -> Option<ProcessStats> {
    #[cfg(target_os = "linux")]
    {
        linux::read()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::ProcessStats;

    pub fn read() -> Option<ProcessStats> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let boot_time = std::fs::read_to_string("/proc/stat")
            .ok()
            .as_deref()
            .and_then(boot_time);
        let limits = std::fs::read_to_string("/proc/self/limits").ok();
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as u64;
        parse(
            &stat,
            boot_time?,
            limits.as_deref(),
            open_fds,
            clock_ticks(),
            page_size(),
        )
    }

    /// `btime` of `/proc/stat`: the boot time in seconds since the epoch.
    pub fn boot_time(proc_stat: &str) -> Option<u64> {
        proc_stat
            .lines()
            .find_map(|l| l.strip_prefix("btime "))
            .and_then(|v| v.trim().parse().ok())
    }

    /// The soft limit of "Max open files" in `/proc/self/limits`.
    pub fn max_fds(limits: &str) -> Option<u64> {
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        line["Max open files".len()..]
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// One reading from `/proc/self/stat` (see proc(5)): the command name is in parentheses and
    /// may hold spaces, so fields are counted after its closing parenthesis.
    pub fn parse(
        stat: &str,
        boot_time: u64,
        limits: Option<&str>,
        open_fds: u64,
        ticks_per_second: f64,
        page_size: u64,
    ) -> Option<ProcessStats> {
        let after_name = &stat[stat.rfind(')')? + 1..];
        // Fields from 3 (state) on; field N of proc(5) is index N - 3 here.
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let field = |n: usize| -> Option<u64> { fields.get(n - 3)?.parse().ok() };
        let utime = field(14)?;
        let stime = field(15)?;
        let threads = field(20)?;
        let start_ticks = field(22)?;
        let vsize = field(23)?;
        let rss_pages = field(24)?;
        Some(ProcessStats {
            cpu_seconds: (utime + stime) as f64 / ticks_per_second,
            resident_bytes: rss_pages * page_size,
            virtual_bytes: vsize,
            threads,
            start_time_seconds: boot_time as f64 + start_ticks as f64 / ticks_per_second,
            open_fds,
            max_fds: limits.and_then(max_fds),
        })
    }

    #[cfg(target_env = "gnu")]
    fn clock_ticks() -> f64 {
        // SAFETY: sysconf only reads a system constant.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        if ticks > 0 { ticks as f64 } else { 100.0 }
    }

    #[cfg(not(target_env = "gnu"))]
    fn clock_ticks() -> f64 {
        100.0 // USER_HZ on every Linux architecture Rust targets but alpha and ia64
    }

    #[cfg(target_env = "gnu")]
    fn page_size() -> u64 {
        // SAFETY: sysconf only reads a system constant.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        if size > 0 { size as u64 } else { 4096 }
    }

    #[cfg(not(target_env = "gnu"))]
    fn page_size() -> u64 {
        4096
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::{boot_time, max_fds, parse};

    // A /proc/self/stat line whose command name holds a space and a parenthesis.
    const STAT: &str = "4242 (copy desk) S 1 4242 4242 0 -1 4194560 2000 0 0 0 \
                        250 50 0 0 20 0 7 0 12345 104857600 25600 18446744073709551615 \
                        1 1 0 0 0 0 0 4096 1260 0 0 0 17 1 0 0 0 0 0";

    const LIMITS: &str = "Limit                     Soft Limit           Hard Limit           Units     \n\
                          Max processes             63432                63432                processes \n\
                          Max open files            1048576              1048576              files     \n";

    #[test]
    fn a_stat_line_is_read_by_field_number_after_the_command_name() {
        let stats = parse(STAT, 1_700_000_000, Some(LIMITS), 12, 100.0, 4096).unwrap();
        assert_eq!(stats.cpu_seconds, 3.0); // (250 + 50) ticks at 100 per second
        assert_eq!(stats.threads, 7);
        assert_eq!(stats.start_time_seconds, 1_700_000_000.0 + 123.45);
        assert_eq!(stats.virtual_bytes, 104_857_600);
        assert_eq!(stats.resident_bytes, 25_600 * 4096);
        assert_eq!(stats.open_fds, 12);
        assert_eq!(stats.max_fds, Some(1_048_576));
    }

    #[test]
    fn boot_time_and_limits_are_found_by_their_names() {
        assert_eq!(
            boot_time("cpu  1 2 3\nbtime 1700000000\nprocesses 9\n"),
            Some(1_700_000_000)
        );
        assert_eq!(boot_time("cpu  1 2 3\n"), None);
        assert_eq!(max_fds("Max open files unlimited unlimited files\n"), None);
        assert_eq!(max_fds(LIMITS), Some(1_048_576));
    }

    #[test]
    fn a_truncated_stat_line_reads_as_nothing() {
        assert_eq!(parse("1 (x) S 1 2 3", 0, None, 0, 100.0, 4096), None);
    }

    #[test]
    fn this_process_reads() {
        let stats = super::read().unwrap();
        assert!(stats.resident_bytes > 0 && stats.open_fds > 0 && stats.threads > 0);
    }
}
