//! PEM blocks as Go's `encoding/pem.Decode` finds them, and the shape of a DER X.509
//! certificate, for the `PEMValidator` and `CACertValidator` property checks.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Go's standard base64 decoding: padding required, non-zero trailing bits accepted.
const GO_STD_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// One PEM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block {
    /// The word after `BEGIN`, e.g. `CERTIFICATE`.
    pub(super) label: String,
    /// Whether `Key: value` header lines precede the body.
    pub(super) has_headers: bool,
    /// The decoded body.
    pub(super) bytes: Vec<u8>,
}

/// Go's `getLine`: the line without its end and trailing blanks, and what follows it.
fn line(data: &str) -> (&str, &str) {
    match data.find('\n') {
        Some(i) => {
            let line = data[..i].strip_suffix('\r').unwrap_or(&data[..i]);
            (line.trim_end_matches([' ', '\t']), &data[i + 1..])
        }
        None => (data.trim_end_matches([' ', '\t']), ""),
    }
}

/// The first PEM block in `data` and the text after it, as `pem.Decode` finds them.
pub(super) fn decode(data: &str) -> Option<(Block, &str)> {
    const BEGIN: &str = "-----BEGIN ";
    const END: &str = "\n-----END ";
    const DASHES: &str = "-----";
    let mut rest = data;
    loop {
        rest = if let Some(after) = rest.strip_prefix(BEGIN) {
            after
        } else {
            let at = rest.find("\n-----BEGIN ")?;
            &rest[at + 1 + BEGIN.len()..]
        };
        let (type_line, after_type) = line(rest);
        rest = after_type;
        let Some(label) = type_line.strip_suffix(DASHES) else {
            continue;
        };
        let mut has_headers = false;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (header, next) = line(rest);
            if !header.contains(':') {
                break;
            }
            has_headers = true;
            rest = next;
        }
        let (end_index, trailer_index) = if !has_headers && rest.starts_with(&END[1..]) {
            (0, END.len() - 1)
        } else {
            match rest.find(END) {
                Some(i) => (i, i + END.len()),
                None => continue,
            }
        };
        let trailer = &rest[trailer_index..];
        let trailer_len = label.len() + DASHES.len();
        if trailer.len() < trailer_len || !trailer.is_char_boundary(trailer_len) {
            continue;
        }
        let (end_line, rest_of_end_line) = trailer.split_at(trailer_len);
        if !end_line.starts_with(label) || !end_line.ends_with(DASHES) {
            continue;
        }
        if !line(rest_of_end_line).0.is_empty() {
            continue;
        }
        let body: String = rest[..end_index]
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect();
        let Ok(bytes) = GO_STD_BASE64.decode(body) else {
            continue;
        };
        let after = line(&rest[end_index + END.len() - 1..]).1;
        return Some((
            Block {
                label: label.to_owned(),
                has_headers,
                bytes,
            },
            after,
        ));
    }
}

/// One DER element: its tag and contents, and what follows it.
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count || rest[0] == 0 {
            return None;
        }
        let length = rest[..count]
            .iter()
            .fold(0usize, |n, &b| n << 8 | usize::from(b));
        if length < 0x80 {
            return None;
        }
        (length, &rest[count..])
    };
    (rest.len() >= length).then(|| (tag, &rest[..length], &rest[length..]))
}

const SEQUENCE: u8 = 0x30;

/// Whether `der` has the shape of an X.509 certificate: a SEQUENCE of the to-be-signed
/// SEQUENCE (optional `[0]` version, INTEGER serial, algorithm, issuer, validity, subject and
/// public key), the signature algorithm SEQUENCE and the signature BIT STRING, nothing after.
pub(super) fn is_certificate(der: &[u8]) -> bool {
    let shape = || -> Option<()> {
        let (SEQUENCE, certificate, []) = element(der)? else {
            return None;
        };
        let (SEQUENCE, tbs, rest) = element(certificate)? else {
            return None;
        };
        let (SEQUENCE, _, rest) = element(rest)? else {
            return None;
        };
        let (0x03, _, []) = element(rest)? else {
            return None;
        };
        let (mut tag, _, mut rest) = element(tbs)?;
        if tag == 0xa0 {
            (tag, _, rest) = element(rest)?;
        }
        if tag != 0x02 {
            return None;
        }
        for _ in 0..5 {
            let (SEQUENCE, _, next) = element(rest)? else {
                return None;
            };
            rest = next;
        }
        Some(())
    };
    shape().is_some()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A self-signed CA certificate (EC P-256).
    pub(in crate::provider::credentials) const CA_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBezCCASGgAwIBAgIURBU2k6cbnQSiTKQeJ9jaDFtxqmcwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHVGVzdCBDQTAgFw0yNjExMjcwNzM4NTVaGA8yMTI2MTEwMzA3
Mzg1NVowEjEQMA4GA1UEAwwHVGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEH
A0IABG6YqhZ4Xox9CegzlHanIr/xHDz+CRpCTojjKvs0NTvszpRLhyKmETHKakt4
G9/7Gh1/yGPOyZIcm4nY75BvVsqjUzBRMB0GA1UdDgQWBBQ9EnvMI6qXZuqB+9Am
Uq9bifkYNTAfBgNVHSMEGDAWgBQ9EnvMI6qXZuqB+9AmUq9bifkYNTAPBgNVHRMB
Af8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQD/jXldJM4B69xmAuiiH7Us/p9W
hHIMlQJnORXvTqpw8AIgJKbZpRPjgsIG3FBJRVkAuzD/TeYXav5vc+e7Fl1k5DU=
-----END CERTIFICATE-----
";

    #[test]
    fn decodes_blocks_like_go() {
        let (block, rest) = decode(CA_CERT).unwrap();
        assert_eq!(block.label, "CERTIFICATE");
        assert!(!block.has_headers);
        assert!(is_certificate(&block.bytes));
        assert_eq!(rest, "");

        let test_block = "-----BEGIN CERTIFICATE-----\ndGVzdA==\n-----END CERTIFICATE-----\n";
        let (block, _) = decode(test_block).unwrap();
        assert_eq!(block.bytes, b"test");
        assert!(!is_certificate(&block.bytes));

        let with_headers = "junk\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\ndGVzdA==\n-----END RSA PRIVATE KEY-----  \ntrailer";
        let (block, rest) = decode(with_headers).unwrap();
        assert_eq!(
            (block.label.as_str(), block.has_headers),
            ("RSA PRIVATE KEY", true)
        );
        assert_eq!(rest, "trailer");

        let empty = "-----BEGIN X-----\n-----END X-----";
        assert_eq!(decode(empty).unwrap().0.bytes, b"");

        for bad in [
            "not a pem",
            "-----BEGIN X-----\ndGVzdA==\n-----END Y-----\n",
            "-----BEGIN X-----\ndGVzdA\n-----END X-----\n",
            "-----BEGIN X-----\ndGVzdA==\n-----END X----- junk\n",
            " -----BEGIN X-----\ndGVzdA==\n-----END X-----\n",
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn certificate_shape() {
        let der = decode(CA_CERT).unwrap().0.bytes;
        assert!(is_certificate(&der));
        let mut truncated = der.clone();
        truncated.pop();
        assert!(!is_certificate(&truncated));
        let mut extended = der;
        extended.push(0);
        assert!(!is_certificate(&extended));
        assert!(!is_certificate(&[0x30, 0x00]));
    }
}
