//! The `rfc2136` adapter (docs/entries-and-providers.md §6.2, COMPATIBILITY.md#d14, #d16): reads a
//! zone from its authoritative server with a signed AXFR, and changes it with RFC 2136 UPDATE
//! messages signed with TSIG, over TCP.
//!
//! The messages are built by pure functions ([`wire`]); this module only sends them. The time
//! used for signing is a parameter. The TSIG secret never appears in any message or error.

pub mod wire;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use base64::Engine;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::TSigner;
use hickory_proto::rr::rdata::tsig::TsigAlgorithm;
use hickory_proto::rr::{DNSClass, Name, RecordType as WireType};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::BackendError;
use crate::zones::{Change, ChangeFailure, ChangeOutcome, FailureKind, ZoneRecords};

/// How long a connection, a read or a write may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The TSIG fudge: how far the server's clock may be from ours, in seconds.
const FUDGE: u16 = 300;

/// One zone on its server, with the key that may read and change it.
pub struct ZoneServer {
    server: String,
    zone: Name,
    signer: TSigner,
}

impl fmt::Debug for ZoneServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZoneServer")
            .field("server", &self.server)
            .field("zone", &self.zone.to_ascii())
            .field("key", &self.signer.signer_name().to_ascii())
            .finish_non_exhaustive()
    }
}

impl ZoneServer {
    /// From the properties of an rfc2136 provider's Secret (`Server`, `Zone`, `TSIGKeyName`,
    /// `TSIGSecret`, `TSIGSecretAlgorithm`), already checked by
    /// [`crate::provider::validate_credentials`]. A `Server` without a port gets `:53`; a bare
    /// IPv6 address becomes `[addr]:53` (COMPATIBILITY.md#d16).
    pub fn from_properties(properties: &BTreeMap<String, String>) -> Result<Self, BackendError> {
        Self::parse(properties).map_err(BackendError::Unusable)
    }

    fn parse(properties: &BTreeMap<String, String>) -> Result<Self, String> {
        let get = |key: &str| {
            properties
                .get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("the Secret has no {key}"))
        };
        let server = server_address(get("Server")?);
        let zone = Name::from_ascii(get("Zone")?).map_err(|e| format!("invalid Zone: {e}"))?;
        let key_name = Name::from_ascii(get("TSIGKeyName")?)
            .map_err(|e| format!("invalid TSIGKeyName: {e}"))?;
        let secret = base64::engine::general_purpose::STANDARD
            .decode(get("TSIGSecret")?)
            .map_err(|_| "TSIGSecret is not valid base64".to_owned())?;
        let algorithm = match properties
            .get("TSIGSecretAlgorithm")
            .map(|a| a.trim().trim_end_matches('.'))
            .filter(|a| !a.is_empty())
            .unwrap_or("hmac-sha256")
        {
            "hmac-sha256" => TsigAlgorithm::HmacSha256,
            "hmac-sha384" => TsigAlgorithm::HmacSha384,
            "hmac-sha512" => TsigAlgorithm::HmacSha512,
            other => {
                return Err(format!(
                    "TSIG algorithm {other} is not supported by this build (use hmac-sha256, hmac-sha384 or hmac-sha512)"
                ));
            }
        };
        let signer = TSigner::new(secret, algorithm, key_name, FUDGE)
            .map_err(|e| format!("the TSIG key cannot be used: {e}"))?;
        Ok(Self {
            server,
            zone,
            signer,
        })
    }

    /// `host:port` of the server.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Reads the zone with a signed AXFR.
    pub async fn read_zone(&self, now: u64) -> Result<ZoneRecords, BackendError> {
        let mut query = Message::new(message_id(now, 0), MessageType::Query, OpCode::Query);
        let mut question = Query::new();
        question
            .set_name(self.zone.clone())
            .set_query_class(DNSClass::IN)
            .set_query_type(WireType::AXFR);
        query.add_query(question);
        let verifier = query
            .finalize(&self.signer, now)
            .map_err(|e| rejected(format!("cannot sign the zone transfer request: {e}")))?;
        let mut verifier =
            verifier.ok_or_else(|| rejected("no TSIG verifier for the zone transfer".into()))?;
        let bytes = query.to_vec().map_err(|e| rejected(e.to_string()))?;
        let mut stream = self.connect().await?;
        (send(&mut stream, &bytes).await).map_err(|e| self.io_error("zone transfer", &e))?;
        let mut records = Vec::new();
        let mut soas = 0;
        while soas < 2 {
            let answer =
                (receive(&mut stream).await).map_err(|e| self.io_error("zone transfer", &e))?;
            let response = Message::from_vec(&answer).map_err(|e| {
                rejected(format!("zone transfer of {}: bad answer: {e}", self.zone))
            })?;
            if response.metadata.response_code != ResponseCode::NoError {
                return Err(BackendError::TransferRefused {
                    message: self.refused("zone transfer", &response),
                });
            }
            if response.signature().is_some() {
                (verifier.verify(&answer))
                    .map_err(|e| rejected(format!("zone transfer of {}: {e}", self.zone)))?;
            }
            if response.answers.is_empty() {
                return Err(rejected(format!(
                    "zone transfer of {}: empty answer",
                    self.zone
                )));
            }
            for record in response.answers {
                if record.record_type() == WireType::SOA {
                    soas += 1;
                }
                records.push(record);
            }
        }
        Ok(wire::zone_records(&records))
    }

    /// Reads what the zone holds at `names` (A, AAAA, CNAME and TXT), with signed queries: for
    /// a server that refuses zone transfers.
    pub async fn read_names(
        &self,
        names: &[String],
        now: u64,
    ) -> Result<ZoneRecords, BackendError> {
        let mut records = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let wire_name = wire::wire_name(name).map_err(rejected)?;
            if !self.zone.zone_of(&wire_name) {
                continue;
            }
            for (j, record_type) in [WireType::A, WireType::AAAA, WireType::CNAME, WireType::TXT]
                .into_iter()
                .enumerate()
            {
                let id = message_id(now, i * 4 + j + 1);
                let mut query = Message::new(id, MessageType::Query, OpCode::Query);
                let mut question = Query::new();
                question
                    .set_name(wire_name.clone())
                    .set_query_class(DNSClass::IN)
                    .set_query_type(record_type);
                query.add_query(question);
                let verifier = query
                    .finalize(&self.signer, now)
                    .map_err(|e| rejected(format!("cannot sign the query: {e}")))?;
                let bytes = query.to_vec().map_err(|e| rejected(e.to_string()))?;
                let mut stream = self.connect().await?;
                (send(&mut stream, &bytes).await).map_err(|e| self.io_error("query", &e))?;
                let answer =
                    (receive(&mut stream).await).map_err(|e| self.io_error("query", &e))?;
                let response = Message::from_vec(&answer)
                    .map_err(|e| rejected(format!("query of {name}: bad answer: {e}")))?;
                match response.metadata.response_code {
                    ResponseCode::NoError | ResponseCode::NXDomain => {}
                    code => {
                        return Err(BackendError::Refused {
                            code: response_code_name(code),
                            message: self.refused("query", &response),
                        });
                    }
                }
                if let (Some(mut verifier), Some(_)) = (verifier, response.signature()) {
                    (verifier.verify(&answer))
                        .map_err(|e| rejected(format!("query of {name}: {e}")))?;
                }
                records.extend(response.answers.into_iter().filter(|r| r.name == wire_name));
            }
        }
        Ok(wire::zone_records(&records))
    }

    /// Makes `changes` (all of this zone, in plan order) with as few UPDATE messages as the
    /// batches allow; a batch whose prerequisites fail is sent again change by change, so only
    /// the changes that meet a concurrent change fail. One outcome per change, in order, and
    /// the number of messages sent.
    pub async fn write(&self, changes: &[&Change], now: u64) -> Written {
        let mut outcomes: Vec<Option<ChangeOutcome>> = vec![None; changes.len()];
        let position = |change: &Change| {
            changes
                .iter()
                .position(|c| std::ptr::eq(*c, change))
                .unwrap_or(0)
        };
        let mut messages = 0usize;
        for batch in wire::batches(changes) {
            messages += 1;
            let result = self
                .send_update(&batch, message_id(now, messages), now)
                .await;
            match result {
                Err(BackendError::Conflict { .. }) if batch.len() > 1 => {
                    for change in batch {
                        messages += 1;
                        let single = self
                            .send_update(&[change], message_id(now, messages), now)
                            .await
                            .map_err(ChangeFailure::from);
                        outcomes[position(change)] = Some(single.into());
                    }
                }
                result => {
                    let outcome = ChangeOutcome::from(result.map_err(ChangeFailure::from));
                    for change in batch {
                        outcomes[position(change)] = Some(outcome.clone());
                    }
                }
            }
        }
        let outcomes = outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| {
                    ChangeOutcome::Failed(ChangeFailure::Backend {
                        kind: FailureKind::Other,
                        message: "not sent".to_owned(),
                    })
                })
            })
            .collect();
        Written { outcomes, messages }
    }

    async fn send_update(&self, batch: &[&Change], id: u16, now: u64) -> Result<(), BackendError> {
        let mut message = wire::update_message(&self.zone, batch, id).map_err(rejected)?;
        let verifier = message
            .finalize(&self.signer, now)
            .map_err(|e| rejected(format!("cannot sign the update: {e}")))?;
        let bytes = message.to_vec().map_err(|e| rejected(e.to_string()))?;
        let mut stream = self.connect().await?;
        (send(&mut stream, &bytes).await).map_err(|e| self.io_error("update", &e))?;
        let answer = (receive(&mut stream).await).map_err(|e| self.io_error("update", &e))?;
        let response = Message::from_vec(&answer)
            .map_err(|e| rejected(format!("update of {}: bad answer: {e}", self.zone)))?;
        match response.metadata.response_code {
            ResponseCode::NoError => {
                if let (Some(mut verifier), Some(_)) = (verifier, response.signature()) {
                    verifier
                        .verify(&answer)
                        .map_err(|e| rejected(format!("update of {}: {e}", self.zone)))?;
                }
                Ok(())
            }
            ResponseCode::YXRRSet
            | ResponseCode::NXRRSet
            | ResponseCode::YXDomain
            | ResponseCode::NXDomain => Err(BackendError::Conflict {
                message: format!(
                    "{}: the record set changed since the zone was read (run apply again)",
                    self.refused("update", &response)
                ),
            }),
            code => Err(BackendError::Refused {
                code: response_code_name(code),
                message: self.refused("update", &response),
            }),
        }
    }

    async fn connect(&self) -> Result<TcpStream, BackendError> {
        let unreachable = |reason: String| BackendError::Unreachable {
            message: format!("DNS server {}: {reason}", self.server),
        };
        let addresses = tokio::time::timeout(TIMEOUT, tokio::net::lookup_host(&self.server))
            .await
            .map_err(|_| unreachable("no answer from the resolver".into()))?
            .map_err(|e| unreachable(e.to_string()))?;
        let mut last = None;
        for address in addresses {
            match tokio::time::timeout(TIMEOUT, TcpStream::connect(address)).await {
                Ok(Ok(stream)) => return Ok(stream),
                Ok(Err(e)) => last = Some(e.to_string()),
                Err(_) => last = Some("connection timed out".to_owned()),
            }
        }
        Err(unreachable(last.unwrap_or_else(|| "no address".to_owned())))
    }

    fn io_error(&self, what: &str, error: &std::io::Error) -> BackendError {
        BackendError::Unreachable {
            message: format!("{what} of {} at {}: {error}", self.zone, self.server),
        }
    }

    fn refused(&self, what: &str, response: &Message) -> String {
        let tsig = response
            .signature()
            .and_then(|s| s.data.error.as_ref().map(|e| format!(" (TSIG {e:?})")))
            .unwrap_or_default();
        format!(
            "DNS server {} refused the {what} of zone {}: {}{tsig}",
            self.server,
            self.zone,
            response_code_name(response.metadata.response_code)
        )
    }
}

/// An `rfc2136` provider's [`DnsBackend`](super::DnsBackend): the one zone its Secret names,
/// on its server.
#[derive(Debug)]
pub struct Rfc2136Backend {
    server: ZoneServer,
}

impl Rfc2136Backend {
    /// The backend of the zone `server` serves.
    pub fn new(server: ZoneServer) -> Self {
        Self { server }
    }

    /// The zone's id, as the provider's Secret writes it (`Zone`).
    fn zone_id(&self) -> crate::id::ZoneId {
        crate::id::ZoneId::from(self.server.zone.to_ascii())
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

impl super::DnsBackend for Rfc2136Backend {
    fn provider_type(&self) -> crate::provider::ProviderType {
        crate::provider::ProviderType::Rfc2136
    }

    async fn list_zones(&self) -> Result<Vec<crate::provider::HostedZone>, BackendError> {
        let id = self.zone_id();
        let domain = (id.as_str().parse()).map_err(|e| rejected(format!("zone {id}: {e}")))?;
        Ok(vec![crate::provider::HostedZone {
            id,
            domain,
            provider_type: crate::provider::ProviderType::Rfc2136,
            private: false,
        }])
    }

    /// A zone transfer; when the server refuses it and `names` are given, signed queries for
    /// those names.
    async fn read_zone(
        &self,
        zone: &crate::id::ZoneId,
        names: Option<&std::collections::BTreeSet<crate::DnsName>>,
    ) -> Result<ZoneRecords, BackendError> {
        let _ = zone;
        match (self.server.read_zone(Self::now()).await, names) {
            (Err(BackendError::TransferRefused { .. }), Some(names)) => {
                let names: Vec<String> = names.iter().map(ToString::to_string).collect();
                self.server.read_names(&names, Self::now()).await
            }
            (result, _) => result,
        }
    }

    async fn execute(&self, zone: &crate::id::ZoneId, changes: &[Change]) -> Vec<ChangeOutcome> {
        let _ = zone;
        let changes: Vec<&Change> = changes.iter().collect();
        self.server.write(&changes, Self::now()).await.outcomes
    }
}

/// What [`ZoneServer::write`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// One outcome per change, in the order given.
    pub outcomes: Vec<ChangeOutcome>,
    /// The number of UPDATE messages sent.
    pub messages: usize,
}

fn response_code_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::YXDomain => "YXDOMAIN".into(),
        ResponseCode::YXRRSet => "YXRRSET".into(),
        ResponseCode::NXRRSet => "NXRRSET".into(),
        ResponseCode::NotAuth => "NOTAUTH".into(),
        ResponseCode::NotZone => "NOTZONE".into(),
        other => format!("{other:?}").to_uppercase(),
    }
}

/// A message id from the time and a counter (ids only need to differ between open requests).
fn message_id(now: u64, counter: usize) -> u16 {
    ((now as u16).wrapping_mul(31)).wrapping_add(counter as u16)
}

/// `host:port`; `:53` when no port is given, `[addr]:53` for a bare IPv6 address.
fn server_address(server: &str) -> String {
    if server.parse::<std::net::Ipv6Addr>().is_ok() {
        return format!("[{server}]:53");
    }
    if server.starts_with('[') || server.contains(':') {
        server.to_owned()
    } else {
        format!("{server}:53")
    }
}

/// Sends one DNS message over TCP (length-prefixed), within [`TIMEOUT`].
async fn send(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    let length = u16::try_from(bytes.len())
        .map_err(|_| std::io::Error::other("message longer than 65535 bytes"))?;
    let mut framed = Vec::with_capacity(bytes.len() + 2);
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(bytes);
    within(stream.write_all(&framed)).await
}

/// Receives one DNS message over TCP, within [`TIMEOUT`].
async fn receive(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut length = [0u8; 2];
    within(stream.read_exact(&mut length)).await?;
    let mut bytes = vec![0u8; usize::from(u16::from_be_bytes(length))];
    within(stream.read_exact(&mut bytes)).await?;
    Ok(bytes)
}

/// `io`, failing with `TimedOut` after [`TIMEOUT`].
async fn within<T>(
    io: impl std::future::Future<Output = std::io::Result<T>>,
) -> std::io::Result<T> {
    match tokio::time::timeout(TIMEOUT, io).await {
        Ok(result) => result,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer in time",
        )),
    }
}

/// A request this side cannot build or an answer it cannot read.
fn rejected(message: String) -> BackendError {
    BackendError::Rejected { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn properties(algorithm: &str) -> BTreeMap<String, String> {
        [
            ("Server", "127.0.0.1:5353"),
            ("Zone", "example.com."),
            ("TSIGKeyName", "shoot-dns."),
            ("TSIGSecret", "c2VjcmV0LXNlY3JldC1zZWNyZXQ="),
            ("TSIGSecretAlgorithm", algorithm),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn reads_its_properties_and_hides_the_secret() {
        let server = ZoneServer::from_properties(&properties("hmac-sha256")).unwrap();
        assert_eq!(server.server(), "127.0.0.1:5353");
        let shown = format!("{server:?}");
        assert!(!shown.contains("c2Vj"), "{shown}");
        assert!(ZoneServer::from_properties(&properties("hmac-sha512.")).is_ok());
        let error = ZoneServer::from_properties(&properties("hmac-sha1")).unwrap_err();
        assert!(matches!(error, BackendError::Unusable(_)), "{error:?}");
        assert!(error.to_string().contains("hmac-sha1"), "{error}");
    }

    #[test]
    fn server_addresses_get_a_port() {
        assert_eq!(server_address("ns.example.com"), "ns.example.com:53");
        assert_eq!(server_address("10.0.0.1:5353"), "10.0.0.1:5353");
        assert_eq!(server_address("2001:db8::1"), "[2001:db8::1]:53");
        assert_eq!(server_address("[2001:db8::1]:54"), "[2001:db8::1]:54");
    }

    #[test]
    fn a_closed_port_is_a_clear_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut p = properties("hmac-sha256");
        p.insert("Server".into(), format!("127.0.0.1:{port}"));
        let server = ZoneServer::from_properties(&p).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let error = runtime
            .block_on(server.read_zone(1_700_000_000))
            .unwrap_err();
        assert!(
            matches!(error, BackendError::Unreachable { .. }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains(&format!("127.0.0.1:{port}")),
            "{error}"
        );
    }
}
