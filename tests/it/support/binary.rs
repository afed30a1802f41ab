//! Runs the `shoot-dns` binary the way a user does, and gives what it printed.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The crate's root: the working directory of runs that name files relative to it.
pub(crate) const CRATE_ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// How long one run may take before it counts as hanging: the test fails instead of blocking
/// the suite.
const LIMIT: Duration = Duration::from_secs(120);

/// What one run of the binary gave.
#[derive(Debug)]
pub(crate) struct Run {
    /// The exit status (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON: {e}\n{}\nstderr: {}", self.stdout, self.stderr))
    }

    /// Standard output, after checking that the exit status is `code`.
    pub(crate) fn expect_code(self, code: i32, args: &[&str]) -> Self {
        assert_eq!(
            self.code,
            Some(code),
            "shoot-dns {args:?}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `shoot-dns args` in `dir`, feeding `stdin` when given (else standard input is empty).
/// Output that is no UTF-8 is shown with replacement characters.
pub(crate) fn run_in(dir: impl AsRef<Path>, args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_in_env(dir, args, stdin, &[])
}

/// [`run_in`] with the variables `env` set for the run.
pub(crate) fn run_in_env(
    dir: impl AsRef<Path>,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &str)],
) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shoot-dns"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir.as_ref())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shoot-dns starts");
    // Input and output move on threads of their own, so that a full pipe never stalls a run.
    let writer = stdin.map(|input| {
        let mut pipe = child.stdin.take().expect("a stdin pipe");
        let input = input.to_vec();
        std::thread::spawn(move || {
            // A run that stops reading early is no failure of the harness.
            let _ = pipe.write_all(&input);
        })
    });
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                pipe.read_to_end(&mut bytes).expect("output read");
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("a status") {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("shoot-dns {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    if let Some(writer) = writer {
        writer.join().expect("stdin writer");
    }
    Run {
        code: status.code(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}
