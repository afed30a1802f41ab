//! What the harnesses of real servers share: free loopback ports, serial numbers, lines that
//! show past the test output capture, and the guard that cleans up after a test binary.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};

/// A loopback TCP port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A number unique in this process.
pub fn next_serial() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Writes a line to stderr past the test harness's capture of `eprintln!`, so that it shows.
pub fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Starts the process that cleans up after this test binary: once it is gone (ended, panicked
/// or killed), whatever the `*.pid` files of `dir` name is stopped (SIGTERM, then SIGKILL) and
/// `dir` removed. It ends by itself when `dir` is removed first (the harness cleaned up).
pub fn guard(dir: &Path) -> Result<(), String> {
    let script = r#"
        while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 0.5; done
        [ -d "$2" ] || exit 0
        for f in "$2"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
        sleep 3
        for f in "$2"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
        rm -rf "$2"
    "#;
    Command::new("sh")
        .args(["-c", script, "guard"])
        .arg(std::process::id().to_string())
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot start the clean-up guard: {e}"))
}
