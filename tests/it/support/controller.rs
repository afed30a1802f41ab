//! `shoot-dns controller` as a process of a test's own: the binary the tests build, its standard
//! error in a log file the test reads, killed (SIGKILL) and waited for when dropped, so no
//! controller outlives a failed test.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a test waits for a log line.
const PATIENCE: Duration = Duration::from_secs(30);

/// How soon a controller exits after SIGTERM when nothing holds it up.
const STOP_WITHIN: Duration = Duration::from_secs(10);

/// One `shoot-dns controller` process.
pub(crate) struct ControllerProcess {
    child: Child,
    /// Its standard error.
    pub(crate) log: PathBuf,
}

impl ControllerProcess {
    /// `shoot-dns controller` with `args`, as the Pod `pod` (`POD_NAME`, the Lease holder's
    /// name), its standard error into `log`; no standard input, standard output dropped.
    pub(crate) fn spawn<S: AsRef<OsStr>>(
        log: PathBuf,
        pod: &str,
        args: impl IntoIterator<Item = S>,
    ) -> ControllerProcess {
        let file = std::fs::File::create(&log).expect("a log file");
        let child = Command::new(env!("CARGO_BIN_EXE_shoot-dns"))
            .arg("controller")
            .args(args)
            .env("POD_NAME", pod)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("shoot-dns controller starts");
        ControllerProcess { child, log }
    }

    /// The process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// The log so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The first line of the log that has every one of `texts`, waited for (at most 30 s).
    pub(crate) fn line_with(&self, texts: &[&str]) -> String {
        let started = Instant::now();
        loop {
            let log = self.log();
            if let Some(line) = log.lines().find(|l| texts.iter().all(|t| l.contains(t))) {
                return line.to_owned();
            }
            assert!(
                started.elapsed() < PATIENCE,
                "no line with {texts:?} within {PATIENCE:?} in:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends `signal` (`-KILL`, `-TERM`, …).
    pub(crate) fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status();
    }

    /// Whether the process still runs.
    pub(crate) fn running(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }

    /// SIGTERM, and the exit status, waited for (at most 10 s).
    pub(crate) fn stop(&mut self) -> ExitStatus {
        self.signal("-TERM");
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the controller") {
                return status;
            }
            assert!(
                started.elapsed() < STOP_WITHIN,
                "no exit within {STOP_WITHIN:?} after SIGTERM:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ControllerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
