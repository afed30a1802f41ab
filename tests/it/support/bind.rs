//! A BIND 9 (`named`) of a test's own: the primary zone `example.com.` on 127.0.0.1 at a free
//! port, with dynamic updates and zone transfers allowed only with the TSIG key `shoot-dns.`
//! (hmac-sha256, a fresh random secret per instance).
//!
//! [`Bind::start`] gives `None`, after a loud line on stderr, when `named`, `dig` or `nsupdate`
//! is not installed, so that the tests needing it skip; with `SHOOT_DNS_REQUIRE_BIND=1` (as
//! `.ci/run` sets it) a missing BIND fails the test instead. Every instance has its own
//! directory and port, so tests run it in parallel; it is killed when dropped.
//!
//! `named` runs in the foreground (`-g`, log in `named.log` of its directory) as the user that
//! runs the tests, root included: without `-u` it does not change user, and every file it
//! touches is in its own directory. `controls { };` turns off the rndc channel (port 953, which
//! parallel instances would share), `session-keyfile` keeps the session key out of `/run/named`,
//! and `reuseport no;` makes a port another named already listens on fail (`address in use` in
//! the log) instead of being shared; `start` then tries another port.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use crate::support::tempdir::TempDir;
use std::time::{Duration, Instant};

use base64::Engine as _;

/// The zone every instance serves, canonical (with the trailing dot).
pub const ZONE: &str = "example.com.";
/// The name of the TSIG key, canonical.
pub const KEY_NAME: &str = "shoot-dns.";
/// The TSIG algorithm of the key, as `named.conf` and the rfc2136 Secret spell it.
pub const ALGORITHM: &str = "hmac-sha256";
/// The records of the zone before anything is added, as [`Bind::axfr`] lists them.
pub const BASE_RECORDS: [&str; 2] = [
    "example.com. 300 NS ns.example.com.",
    "ns.example.com. 300 A 127.0.0.1",
];

/// How long `start` waits for `named` to answer.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How many ports `start` tries before it gives up.
const START_ATTEMPTS: usize = 5;

const ZONE_FILE: &str = "\
$TTL 300
@   IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300
@   IN NS  ns.example.com.
ns  IN A   127.0.0.1
";

/// The BIND programs, found on `PATH` or in the usual `sbin` directories (which a normal user's
/// `PATH` often lacks).
struct Tools {
    named: PathBuf,
    dig: PathBuf,
    nsupdate: PathBuf,
}

impl Tools {
    fn find() -> Result<Self, &'static str> {
        Ok(Self {
            named: program("named").ok_or("named")?,
            dig: program("dig").ok_or("dig")?,
            nsupdate: program("nsupdate").ok_or("nsupdate")?,
        })
    }
}

fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(
            ["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin"]
                .into_iter()
                .map(PathBuf::from),
        )
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A running `named` serving [`ZONE`]; killed when dropped.
pub struct Bind {
    dir: TempDir,
    tools: Tools,
    port: u16,
    secret: String,
    transfers: bool,
    child: Option<Child>,
}

impl Bind {
    /// Runs named with `conf` in the foreground, its output into `log`.
    fn spawn_named(
        &self,
        conf: &std::path::Path,
        log: File,
    ) -> Result<std::process::Child, String> {
        Command::new(&self.tools.named)
            .args(["-g", "-4", "-n", "1", "-c"])
            .arg(conf)
            .current_dir(self.dir.root())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("named.log"))
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.tools.named.display()))
    }

    /// Starts a `named` of its own, or gives `None` (after saying so on stderr) when BIND is not
    /// installed. Panics, with `named`'s log, when it is installed but does not start.
    pub fn start() -> Option<Bind> {
        Self::start_with(true)
    }

    /// [`Bind::start`] with `allow-transfer { none; }`: updates signed with the key are accepted,
    /// transfers are REFUSED (so [`Bind::axfr`] fails; use [`Bind::dig`]).
    pub fn start_refusing_transfers() -> Option<Bind> {
        Self::start_with(false)
    }

    fn start_with(transfers: bool) -> Option<Bind> {
        let tools = match Tools::find() {
            Ok(tools) => tools,
            Err(missing) => {
                let line = format!(
                    "=== SKIPPED: {missing} not found; install bind9 (apt-get install bind9 bind9-dnsutils) ==="
                );
                if std::env::var_os("SHOOT_DNS_REQUIRE_BIND").is_some_and(|v| v == "1") {
                    panic!("{line} (and SHOOT_DNS_REQUIRE_BIND=1)");
                }
                // Past the test harness's capture of `eprintln!`, so that it shows.
                let _ = writeln!(std::io::stderr(), "{line}");
                return None;
            }
        };
        let mut bind = Self::prepare(tools, transfers);
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match bind.launch(free_port()) {
                Ok(()) => return Some(bind),
                Err(why) => failures.push(format!("port {}: {why}", bind.port)),
            }
        }
        panic!(
            "named did not start in {START_ATTEMPTS} attempts:\n{}\nlast log ({}):\n{}",
            failures.join("\n"),
            bind.dir.path("named.log").display(),
            bind.log()
        );
    }

    /// A directory with the zone file and the key file, and no `named` yet.
    fn prepare(tools: Tools, transfers: bool) -> Bind {
        let bind = Bind {
            dir: TempDir::new("bind"),
            tools,
            port: 0,
            secret: random_secret(),
            transfers,
            child: None,
        };
        std::fs::write(bind.dir.path("example.com.zone"), ZONE_FILE).expect("the zone file");
        std::fs::write(
            bind.key_file(),
            key_clause(KEY_NAME, ALGORITHM, &bind.secret),
        )
        .expect("the key file");
        bind
    }

    /// Writes `named.conf` for `port`, starts `named` and waits until it answers, signed with
    /// this instance's key (so that another named on the port does not count).
    fn launch(&mut self, port: u16) -> Result<(), String> {
        self.port = port;
        let dir = self.dir.root().display().to_string();
        let conf = self.dir.path("named.conf");
        let text = named_conf(&dir, self.port, &self.secret, self.transfers);
        std::fs::write(&conf, text).expect("named.conf");
        // A failed attempt may have left a journal.
        let _ = std::fs::remove_file(self.dir.path("example.com.zone.jnl"));
        let log = File::create(self.dir.path("named.log")).expect("named.log");
        let child = self.spawn_named(&conf, log)?;
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(format!("named exited with {status}"));
            }
            // Another process on the port (a named of another test that got the same free
            // port a moment earlier): named goes on without its TCP listener.
            if self.log().contains("address in use") {
                self.stop();
                return Err("the port is taken".to_owned());
            }
            // Signed, so that only this named (with this secret) passes.
            let key = self.key_file().display().to_string();
            let soa = self.run_dig(&["-k", &key, "+short", "+tries=1", "+time=1", ZONE, "SOA"]);
            if soa.is_ok_and(|out| out.contains("ns.example.com.")) {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.stop();
                return Err(format!("no answer within {START_TIMEOUT:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The port it listens on (TCP and UDP, 127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:<port>`, the `Server` of an rfc2136 Secret.
    pub fn server(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The zone it serves, canonical: the `Zone` of an rfc2136 Secret.
    pub fn zone(&self) -> &'static str {
        ZONE
    }

    /// The TSIG key name, canonical: the `TSIGKeyName` of an rfc2136 Secret.
    pub fn key_name(&self) -> &'static str {
        KEY_NAME
    }

    /// The TSIG secret as base64: the `TSIGSecret` of an rfc2136 Secret.
    pub fn secret_base64(&self) -> &str {
        &self.secret
    }

    /// The TSIG algorithm: the `TSIGSecretAlgorithm` of an rfc2136 Secret.
    pub fn algorithm(&self) -> &'static str {
        ALGORITHM
    }

    /// `named`'s log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path("named.log")).unwrap_or_default()
    }

    fn key_file(&self) -> PathBuf {
        self.dir.path("shoot-dns.key")
    }

    /// The values of `name`'s `record_type` record set (`dig +short +tcp`), sorted; empty when
    /// there is none. Panics when the server does not answer.
    pub fn dig(&self, name: &str, record_type: &str) -> Vec<String> {
        let out = self
            .run_dig(&["+short", "+tries=2", "+time=3", name, record_type])
            .unwrap_or_else(|e| panic!("dig {name} {record_type}: {e}"));
        let mut values: Vec<String> = out
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        values.sort();
        values
    }

    /// Every record of the zone but the SOA, from a transfer signed with the key, one line per
    /// record: `<owner, lower-case, with dot> <ttl> <type> <rdata as dig prints it>`, sorted, e.g.
    /// `www.example.com. 300 A 192.0.2.1` or `t.example.com. 300 TXT "a b"`. The zone's own
    /// records are [`BASE_RECORDS`]. Panics when the transfer fails.
    pub fn axfr(&self) -> Vec<String> {
        let key = self.key_file().display().to_string();
        let out = self
            .run_dig(&[
                "-k",
                &key,
                "+nocmd",
                "+nostats",
                "+nocomments",
                "+noclass",
                "+onesoa",
                "+tries=2",
                "+time=5",
                ZONE,
                "AXFR",
            ])
            .unwrap_or_else(|e| panic!("AXFR of {ZONE}: {e}"));
        let mut lines: Vec<String> = out
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                normalise_record(l).unwrap_or_else(|| panic!("AXFR of {ZONE}: odd line {l:?}"))
            })
            .filter(|l| {
                let record_type = l.split(' ').nth(2);
                !matches!(record_type, Some("SOA" | "TSIG"))
            })
            .collect();
        lines.sort();
        lines
    }

    /// [`Bind::axfr`] without [`BASE_RECORDS`]: what was added to the zone.
    pub fn added_records(&self) -> Vec<String> {
        self.axfr()
            .into_iter()
            .filter(|l| !BASE_RECORDS.contains(&l.as_str()))
            .collect()
    }

    /// Runs `nsupdate` commands (`update add www.example.com. 300 A 192.0.2.1`, ...) signed with
    /// the key, against [`ZONE`]; a `send` is added when the commands do not end with one.
    /// Panics when the server does not accept them.
    pub fn nsupdate(&self, commands: &str) {
        if let Err(e) = self.try_nsupdate(commands) {
            panic!("nsupdate failed: {e}\ncommands:\n{commands}");
        }
    }

    /// [`Bind::nsupdate`], giving nsupdate's complaint (e.g. `update failed: NOTZONE`) instead of
    /// panicking.
    pub fn try_nsupdate(&self, commands: &str) -> Result<(), String> {
        self.run_nsupdate(Some(&self.key_file()), commands)
    }

    /// [`Bind::try_nsupdate`] signed with another key (`algorithm` like `hmac-sha512`, `key_name`
    /// with or without the trailing dot, `secret` base64).
    pub fn try_nsupdate_signed(
        &self,
        algorithm: &str,
        key_name: &str,
        secret: &str,
        commands: &str,
    ) -> Result<(), String> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let file = self.dir.path(&format!(
            "other-{}.key",
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&file, key_clause(key_name, algorithm, secret)).expect("a key file");
        self.run_nsupdate(Some(&file), commands)
    }

    /// [`Bind::try_nsupdate`] without a signature.
    pub fn try_nsupdate_unsigned(&self, commands: &str) -> Result<(), String> {
        self.run_nsupdate(None, commands)
    }

    /// Kills `named` (to test a server that is down); the port then refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether `named` runs (started and not stopped).
    pub fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }

    /// Starts `named` again after [`Bind::stop`], on the same port, with the same `named.conf`,
    /// key, zone file and journal: the zone is what it was when it stopped (dynamic updates
    /// included). Its log goes on in `named.log`. Panics, with the log, when it does not answer
    /// within a few attempts (the port taken by another process meanwhile, say).
    pub fn start_again(&mut self) {
        assert!(self.port != 0, "start_again after a start");
        self.stop();
        let conf = self.dir.path("named.conf");
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            let seen = self.log().len();
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.dir.path("named.log"))
                .expect("named.log");
            let child = self
                .spawn_named(&conf, log)
                .unwrap_or_else(|e| panic!("{e}"));
            self.child = Some(child);
            match self.wait_answering(seen) {
                Ok(()) => return,
                Err(why) => {
                    failures.push(why);
                    self.stop();
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
        }
        panic!(
            "named did not start again on port {}:\n{}\nlog:\n{}",
            self.port,
            failures.join("\n"),
            self.log()
        );
    }

    /// Waits until the `named` just started answers a signed SOA query; `seen` is the length of
    /// the log before it started.
    fn wait_answering(&mut self, seen: usize) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let key = self.key_file().display().to_string();
        loop {
            if let Some(status) = (self.child.as_mut()).and_then(|c| c.try_wait().ok().flatten()) {
                self.child = None;
                return Err(format!("named exited with {status}"));
            }
            if self
                .log()
                .get(seen..)
                .is_some_and(|new| new.contains("address in use"))
            {
                return Err("the port is taken".to_owned());
            }
            let soa = self.run_dig(&["-k", &key, "+short", "+tries=1", "+time=1", ZONE, "SOA"]);
            if soa.is_ok_and(|out| out.contains("ns.example.com.")) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("no answer within {START_TIMEOUT:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn run_dig(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(&self.tools.dig)
            .arg("@127.0.0.1")
            .args(["-p", &self.port.to_string(), "+tcp"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.tools.dig.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        // dig reports failures on stdout as comments (`;; communications error`,
        // `; Transfer failed.`, `;; Couldn't verify signature`), and some on stderr.
        let complaint = stdout
            .lines()
            .chain(stderr.lines())
            .any(|l| l.starts_with(';') || l.starts_with("dig:"));
        if !output.status.success() || complaint {
            return Err(format!(
                "dig {args:?} exited with {}:\n{stdout}{stderr}",
                output.status
            ));
        }
        Ok(stdout)
    }

    fn run_nsupdate(&self, key: Option<&Path>, commands: &str) -> Result<(), String> {
        let mut script = format!("server 127.0.0.1 {}\nzone {ZONE}\n", self.port);
        script.push_str(commands.trim_end());
        script.push('\n');
        if commands.trim_end().lines().last().map(str::trim) != Some("send") {
            script.push_str("send\n");
        }
        let mut command = Command::new(&self.tools.nsupdate);
        // -v: TCP, as the adapter sends; -t: overall timeout in seconds.
        command.args(["-v", "-t", "10"]);
        if let Some(key) = key {
            command.arg("-k").arg(key);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.tools.nsupdate.display()))?;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .expect("nsupdate reads its commands");
        let output = child.wait_with_output().expect("nsupdate runs");
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
            .trim()
            .to_owned())
        }
    }
}

impl Drop for Bind {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            eprintln!(
                "--- the last lines of named's log (port {}):\n{}",
                self.port,
                tail.join("\n")
            );
        }
    }
}

/// A port that is free for TCP and UDP on 127.0.0.1 right now.
fn free_port() -> u16 {
    loop {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("a TCP port");
        let port = tcp.local_addr().expect("its address").port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// 32 random bytes as base64: a TSIG secret of the size `tsig-keygen` makes for hmac-sha256.
fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("random bytes");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A `key` clause as `named.conf`, `dig -k` and `nsupdate -k` read it.
fn key_clause(name: &str, algorithm: &str, secret: &str) -> String {
    format!("key \"{name}\" {{\n    algorithm {algorithm};\n    secret \"{secret}\";\n}};\n")
}

fn named_conf(dir: &str, port: u16, secret: &str, transfers: bool) -> String {
    let transfer = if transfers {
        format!("key {KEY_NAME};")
    } else {
        "none;".to_owned()
    };
    format!(
        r#"// A BIND of one shoot-dns test (tests/it/support/bind.rs).
options {{
    directory "{dir}";
    pid-file "{dir}/named.pid";
    session-keyfile "{dir}/session.key";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    notify no;
    // Without it, named binds with SO_REUSEPORT, and a second named given the same port shares
    // it silently (the kernel spreads the connections over both).
    reuseport no;
}};

// No rndc channel: it would listen on 127.0.0.1#953 in every instance.
controls {{ }};

{key}
zone "example.com" {{
    type primary;
    file "{dir}/example.com.zone";
    journal "{dir}/example.com.zone.jnl";
    allow-update {{ key {KEY_NAME}; }};
    allow-transfer {{ {transfer} }};
}};
"#,
        key = key_clause(KEY_NAME, ALGORITHM, secret),
    )
}

/// `owner ttl type rdata` with single spaces between the first four fields and the rdata as
/// printed (spaces inside TXT strings are kept).
fn normalise_record(line: &str) -> Option<String> {
    let mut rest = line.trim();
    let mut fields = Vec::with_capacity(3);
    for _ in 0..3 {
        let end = rest.find(char::is_whitespace)?;
        fields.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    Some(format!(
        "{} {} {} {}",
        fields[0].to_ascii_lowercase(),
        fields[1],
        fields[2],
        rest.trim_end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_answers_and_stops() {
        let Some(mut bind) = Bind::start() else {
            return;
        };
        assert_eq!(
            bind.dig("example.com", "SOA"),
            ["ns.example.com. hostmaster.example.com. 1 3600 600 86400 300"]
        );
        assert_eq!(bind.server(), format!("127.0.0.1:{}", bind.port()));
        assert_eq!(bind.axfr(), BASE_RECORDS);
        assert!(bind.added_records().is_empty());

        bind.nsupdate(
            "update add harness.example.com. 600 A 192.0.2.7
             update add harness.example.com. 600 A 192.0.2.8
             update add harness.example.com. 300 TXT \"two  spaces\" \"and more\"
             update add *.wild.example.com. 300 A 192.0.2.9",
        );
        assert_eq!(
            bind.dig("harness.example.com", "A"),
            ["192.0.2.7", "192.0.2.8"]
        );
        assert_eq!(
            bind.dig("harness.example.com", "TXT"),
            ["\"two  spaces\" \"and more\""]
        );
        assert_eq!(bind.dig("anything.wild.example.com", "A"), ["192.0.2.9"]);
        assert!(bind.dig("nothing.example.com", "A").is_empty());
        assert_eq!(
            bind.added_records(),
            [
                "*.wild.example.com. 300 A 192.0.2.9",
                "harness.example.com. 300 TXT \"two  spaces\" \"and more\"",
                "harness.example.com. 600 A 192.0.2.7",
                "harness.example.com. 600 A 192.0.2.8",
            ]
        );
        // The key is the only way in: not even an unsigned transfer.
        let secret = bind.secret_base64().to_owned();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(&secret)
                .map(|b| b.len()),
            Ok(32)
        );

        let port = bind.port();
        bind.stop();
        let refused = std::net::TcpStream::connect(("127.0.0.1", port));
        assert!(refused.is_err(), "port {port} still answers after stop");
        // Stopping twice (and dropping after) is fine.
        bind.stop();
    }

    /// Stopped (killed) and started again: the same port, key and zone, the dynamic updates
    /// made before the stop still there.
    #[test]
    fn starts_again_with_its_zone() {
        let Some(mut bind) = Bind::start() else {
            return;
        };
        bind.nsupdate("update add kept.example.com. 600 A 192.0.2.7");
        let port = bind.port();
        bind.stop();
        assert!(!bind.running());
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
        bind.start_again();
        assert!(bind.running());
        assert_eq!(bind.port(), port);
        assert_eq!(bind.dig("kept.example.com", "A"), ["192.0.2.7"]);
        bind.nsupdate("update add new.example.com. 300 A 192.0.2.8");
        assert_eq!(
            bind.added_records(),
            [
                "kept.example.com. 600 A 192.0.2.7",
                "new.example.com. 300 A 192.0.2.8"
            ]
        );
        // Twice in a row, without a stop between: it stops the running one first.
        bind.start_again();
        assert_eq!(bind.dig("new.example.com", "A"), ["192.0.2.8"]);
    }

    /// Parallel instances have their own ports, directories and zones.
    #[test]
    fn instances_are_independent() {
        let (Some(one), Some(two)) = (Bind::start(), Bind::start()) else {
            return;
        };
        assert_ne!(one.port(), two.port());
        assert_ne!(one.secret_base64(), two.secret_base64());
        one.nsupdate("update add only-one.example.com. 300 A 192.0.2.1");
        assert_eq!(one.dig("only-one.example.com", "A"), ["192.0.2.1"]);
        assert!(two.dig("only-one.example.com", "A").is_empty());
        assert_eq!(two.axfr(), BASE_RECORDS);
        // One instance's key is not the other's.
        let err = two
            .try_nsupdate_signed(
                ALGORITHM,
                KEY_NAME,
                one.secret_base64(),
                "update add x.example.com. 300 A 192.0.2.1",
            )
            .unwrap_err();
        assert!(err.contains("BADSIG"), "{err}");
    }

    /// What BIND answers, as the rfc2136 adapter sees it. nsupdate prints the rcode and, in
    /// parentheses, the error of the TSIG record of the answer.
    #[test]
    fn answers_updates_as_the_adapter_must_expect() {
        let Some(bind) = Bind::start() else {
            return;
        };
        let add = "update add denied.example.com. 300 A 192.0.2.1";
        let wrong_secret = random_secret();
        // A wrong secret: NOTAUTH, TSIG error BADSIG (and the answer's TSIG is not signed).
        let err = bind
            .try_nsupdate_signed(ALGORITHM, KEY_NAME, &wrong_secret, add)
            .unwrap_err();
        assert!(err.contains("NOTAUTH(BADSIG)"), "{err}");
        // The right secret with another algorithm, or an unknown key name: NOTAUTH, BADKEY.
        let err = bind
            .try_nsupdate_signed("hmac-sha512", KEY_NAME, bind.secret_base64(), add)
            .unwrap_err();
        assert!(err.contains("NOTAUTH(BADKEY)"), "{err}");
        let err = bind
            .try_nsupdate_signed(ALGORITHM, "other.", bind.secret_base64(), add)
            .unwrap_err();
        assert!(err.contains("NOTAUTH(BADKEY)"), "{err}");
        // No signature: REFUSED.
        let err = bind.try_nsupdate_unsigned(add).unwrap_err();
        assert!(err.contains("REFUSED"), "{err}");
        // A zone it does not serve: NOTAUTH (not NOTZONE).
        let err = bind
            .try_nsupdate("zone other.example.\nupdate add www.other.example. 300 A 192.0.2.1")
            .unwrap_err();
        assert!(err.contains("NOTAUTH"), "{err}");
        assert!(!err.contains("NOTZONE"), "{err}");
        // A name outside the zone of the update: NOTZONE.
        let err = bind
            .try_nsupdate("update add www.other.example. 300 A 192.0.2.1")
            .unwrap_err();
        assert!(err.contains("NOTZONE"), "{err}");
        assert!(bind.added_records().is_empty(), "{:?}", bind.axfr());

        // Deleting what is not there succeeds (NOERROR) and changes nothing.
        bind.nsupdate("update delete absent.example.com. A 192.0.2.1");
        // A CNAME beside other data, or other data beside a CNAME, is ignored with NOERROR.
        bind.nsupdate(
            "update add both.example.com. 300 A 192.0.2.1
             send
             update add both.example.com. 300 CNAME target.example.org.",
        );
        bind.nsupdate(
            "update add alias.example.com. 300 CNAME target.example.org.
             send
             update add alias.example.com. 300 A 192.0.2.2",
        );
        assert_eq!(
            bind.added_records(),
            [
                "alias.example.com. 300 CNAME target.example.org.",
                "both.example.com. 300 A 192.0.2.1",
            ]
        );
        // An RRset has one TTL: adding a value with another TTL changes the TTL of the whole set,
        // and deleting a value matches its data whatever the TTL.
        bind.nsupdate("update add both.example.com. 600 A 192.0.2.3");
        assert_eq!(
            bind.added_records(),
            [
                "alias.example.com. 300 CNAME target.example.org.",
                "both.example.com. 600 A 192.0.2.1",
                "both.example.com. 600 A 192.0.2.3",
            ]
        );
        bind.nsupdate("update delete both.example.com. 600 A 192.0.2.1");
        assert_eq!(bind.dig("both.example.com", "A"), ["192.0.2.3"]);
        // Each TXT value may be its own RR, or all values one RR of several strings.
        bind.nsupdate(
            "update add t.example.com. 300 TXT \"one\"
             update add t.example.com. 300 TXT \"two\"
             update add u.example.com. 300 TXT \"one\" \"two\"",
        );
        assert_eq!(bind.dig("t.example.com", "TXT"), ["\"one\"", "\"two\""]);
        assert_eq!(bind.dig("u.example.com", "TXT"), ["\"one\" \"two\""]);
    }

    /// A second named on a port the first listens on does not share it (SO_REUSEPORT would let
    /// it); it is noticed, so that `start` tries another port.
    #[test]
    fn a_taken_port_is_noticed() {
        let Some(first) = Bind::start() else {
            return;
        };
        let mut second = Bind::prepare(Tools::find().expect("BIND"), true);
        let err = second.launch(first.port()).unwrap_err();
        assert_eq!(err, "the port is taken");
        assert!(second.child.is_none());
        // The first one is undisturbed.
        first.nsupdate("update add www.example.com. 300 A 192.0.2.1");
        assert_eq!(first.dig("www.example.com", "A"), ["192.0.2.1"]);
        // And a port someone else (not named) listens on is noticed too.
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("its address").port();
        assert!(second.launch(port).is_err());
    }

    #[test]
    fn refuses_transfers_when_asked() {
        let Some(bind) = Bind::start_refusing_transfers() else {
            return;
        };
        bind.nsupdate("update add www.example.com. 300 A 192.0.2.1");
        assert_eq!(bind.dig("www.example.com", "A"), ["192.0.2.1"]);
        let key = bind.key_file().display().to_string();
        let err = bind.run_dig(&["-k", &key, ZONE, "AXFR"]).unwrap_err();
        assert!(err.contains("Transfer failed"), "{err}");
    }

    #[test]
    fn records_are_normalised() {
        assert_eq!(
            normalise_record("WWW.Example.COM.\t\t300\tTXT\t\"a  b\" \"c\""),
            Some("www.example.com. 300 TXT \"a  b\" \"c\"".to_owned())
        );
        assert_eq!(normalise_record("short line"), None);
    }
}
