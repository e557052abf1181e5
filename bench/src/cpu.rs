//! CPU time each side spends per request during a measured load: the server process, every PostgreSQL process
//! (its backends and the WAL writer, checkpointer and the rest) and this process (the load generator).
//!
//! Throughput on these 2 shared cores moves by a fifth from run to run, with the whole machine; the CPU a
//! request costs moves far less, so a change to the server shows in these figures where its req/s cannot tell
//! it from noise. Read from `/proc/<pid>/stat` (utime + stime, every thread of the process) before and after a
//! load. A PostgreSQL backend that exits during a load takes its time with it, so loads are measured on
//! long-lived pooled connections (the server's), as the harness does.

use serde_json::{json, Value};
use std::sync::OnceLock;

/// CPU seconds used so far by each side.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    server: f64,
    postgres: f64,
    client: f64,
}

/// Microseconds of CPU per successful request.
#[derive(Clone, Copy, Debug)]
pub struct PerRequest {
    pub server_us: f64,
    pub postgres_us: f64,
    pub client_us: f64,
}

impl PerRequest {
    pub fn json(&self) -> Value {
        json!({"server_us": self.server_us, "postgres_us": self.postgres_us, "client_us": self.client_us})
    }

    /// `server / PostgreSQL / load generator`, whole microseconds.
    pub fn cell(&self) -> String {
        format!(
            "{:.0} / {:.0} / {:.0}",
            self.server_us, self.postgres_us, self.client_us
        )
    }
}

pub fn mark(server_pid: u32) -> Mark {
    Mark {
        server: process_seconds(&format!("/proc/{server_pid}/stat")).unwrap_or(0.0),
        postgres: postgres_seconds(),
        client: process_seconds("/proc/self/stat").unwrap_or(0.0),
    }
}

impl Mark {
    pub fn per_request(&self, after: &Mark, requests: usize) -> PerRequest {
        let per = |a: f64, b: f64| (b - a).max(0.0) * 1e6 / requests.max(1) as f64;
        PerRequest {
            server_us: per(self.server, after.server),
            postgres_us: per(self.postgres, after.postgres),
            client_us: per(self.client, after.client),
        }
    }
}

/// utime + stime of a process from its `stat` line, in seconds.
fn process_seconds(stat_path: &str) -> Option<f64> {
    let (_, seconds) = parse_stat(&std::fs::read_to_string(stat_path).ok()?)?;
    Some(seconds)
}

/// The command name and the CPU seconds of one `/proc/<pid>/stat` line. The name is in parentheses and may
/// itself hold spaces or parentheses, so the fields are counted from the last `)`.
fn parse_stat(line: &str) -> Option<(&str, f64)> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let name = &line[open + 1..close];
    // After the name: state (field 3) … utime (14), stime (15).
    let mut rest = line[close + 1..].split_whitespace().skip(11);
    let utime: f64 = rest.next()?.parse().ok()?;
    let stime: f64 = rest.next()?.parse().ok()?;
    Some((name, (utime + stime) / clock_ticks()))
}

fn postgres_seconds() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter_map(|line| {
            parse_stat(&line).and_then(|(name, s)| (name == "postgres").then_some(s))
        })
        .sum()
}

/// Clock ticks per second of `/proc`'s times (`getconf CLK_TCK`; 100 on Linux unless told otherwise).
fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|t: &f64| *t > 0.0)
            .unwrap_or(100.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_give_name_and_cpu_seconds_whatever_the_name_holds() {
        let ticks = clock_ticks();
        let line =
            "4242 (post gres) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 1 0 100 0 0";
        let (name, secs) = parse_stat(line).unwrap();
        assert_eq!(name, "post gres");
        assert!((secs - 300.0 / ticks).abs() < 1e-9);
        let odd = "7 (a) b) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 0 0";
        let (name, secs) = parse_stat(odd).unwrap();
        assert_eq!((name, (secs * ticks).round()), ("a) b", 7.0));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn this_process_is_seen_using_cpu() {
        let before = mark(std::process::id());
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_millis(60) {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        std::hint::black_box(x);
        let per = before.per_request(&mark(std::process::id()), 1);
        // Both "server" and "client" are this process here; 60 ms of spinning is at least a few ticks.
        assert!(per.server_us >= 20_000.0, "{per:?}");
        assert!(per.client_us >= 20_000.0, "{per:?}");
    }
}
