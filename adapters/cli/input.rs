//! Reading manifests from files, directories and standard input.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::net::{IpAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use shoot_dns::provider::{HostedZone, ProviderType};
use shoot_dns::{DnsName, World};

/// The largest manifest input read, per file or standard input. A cluster's dump of 100,000
/// Services is about 50 MiB; anything far larger is a mistake (`/dev/zero`, a wrong file).
pub const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// Loads every path into `world`. A file that cannot be read or parsed stops everything: the
/// message names the file, the document and the line. Bytes that are no UTF-8 make only the
/// object of their document a problem.
pub fn load_paths(world: &mut World, paths: &[PathBuf]) -> Result<(), String> {
    for (name, bytes) in read_inputs(paths)? {
        shoot_dns::manifest::load_bytes(world, &name, &bytes).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The text of every manifest at `paths` (files, directories, `-`), each with the name that
/// messages use; text that is no UTF-8 is an error naming the line and column.
pub fn read_texts(paths: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    (read_inputs(paths)?.into_iter())
        .map(|(name, bytes)| text(&name, bytes).map(|text| (name, text)))
        .collect()
}

/// `bytes` read from `name` as text; bytes that are no UTF-8 are an error naming where.
fn text(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let error = shoot_dns::manifest::NotUtf8::new(e.as_bytes(), e.utf8_error());
        format!("{name}: {error}")
    })
}

/// The bytes of every manifest at `paths` (files, directories, `-`), each with the name that
/// messages use.
fn read_inputs(paths: &[PathBuf]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let bytes = read_bounded(std::io::stdin().lock(), "-")?;
            inputs.push(("-".to_owned(), bytes));
            continue;
        }
        let mut files = Vec::new();
        collect(path, &mut files, true, &mut BTreeSet::new())?;
        for file in files {
            let name = file.display().to_string();
            let opened =
                std::fs::File::open(&file).map_err(|e| format!("{name}: cannot read: {e}"))?;
            inputs.push((name.clone(), read_bounded(opened, &name)?));
        }
    }
    Ok(inputs)
}

/// The text of one file given by a flag (`--config`, `--zones`), read like the manifests: at
/// most [`MAX_INPUT_BYTES`], UTF-8.
pub fn read_file_text(path: &Path) -> Result<String, String> {
    let name = path.display().to_string();
    let opened = std::fs::File::open(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    text(&name, read_bounded(opened, &name)?)
}

/// Reads at most [`MAX_INPUT_BYTES`] from `input`; more is an error.
fn read_bounded(input: impl Read, name: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{name}: larger than {} MiB: not read (manifests that large are refused)",
            MAX_INPUT_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// The manifest files at `path`: the path itself when given (a file, or a pipe such as
/// `<(kubectl get ...)`), or every regular `*.yaml`, `*.yml` and `*.json` file below a
/// directory, in sorted order. Anything else with such a name inside a directory (a FIFO, a
/// socket, a device) is skipped with a warning: reading it could block or never end. A
/// directory reached twice (through a symbolic link) is read once.
fn collect(
    path: &Path,
    files: &mut Vec<PathBuf>,
    given: bool,
    seen: &mut BTreeSet<PathBuf>,
) -> Result<(), String> {
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if metadata.is_dir() {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        if !seen.insert(canonical) {
            return Ok(());
        }
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: cannot read the directory: {e}", path.display()))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: cannot read the directory: {e}", path.display()))?;
        children.sort();
        for child in children {
            collect(&child, files, false, seen)?;
        }
    } else if given || (is_manifest(path) && metadata.is_file()) {
        files.push(path.to_owned());
    } else if is_manifest(path) {
        eprintln!(
            "shoot-dns: warning: {}: skipped: {}, not a regular file",
            path.display(),
            file_kind(&metadata)
        );
    }
    Ok(())
}

/// What a file that is neither a regular file nor a directory is.
fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    let _ = metadata;
    "a special file"
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// The `--zones` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZonesFile {
    providers: Vec<ProviderZones>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderZones {
    provider: String,
    zones: Vec<ZoneItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneItem {
    id: String,
    domain: String,
    #[serde(default)]
    private: bool,
}

/// Reads the `--zones` file: hosted zones per provider (`namespace/name`).
pub fn load_zones(path: &Path, world: &World) -> Result<BTreeMap<String, Vec<HostedZone>>, String> {
    let text = read_file_text(path)?;
    let file: ZonesFile = serde_yaml_ng::from_str(&text)
        .map_err(|e| format!("{}: not a zones file: {e}", path.display()))?;
    let mut zones = BTreeMap::new();
    for item in file.providers {
        let provider = world
            .providers
            .iter()
            .find(|p| p.metadata.key() == item.provider)
            .ok_or_else(|| {
                format!(
                    "{}: provider {:?} is not among the manifests",
                    path.display(),
                    item.provider
                )
            })?;
        let hosted = item
            .zones
            .into_iter()
            .map(|z| {
                let domain = z.domain.parse().map_err(|e| {
                    format!(
                        "{}: zone {:?} of {}: {e}",
                        path.display(),
                        z.id,
                        item.provider
                    )
                })?;
                Ok((z, domain))
            })
            .collect::<Result<Vec<_>, String>>()?;
        // The zones of a provider whose type is none Gardener knows are checked but not kept:
        // the provider is Invalid (its type is not supported) before its zones count.
        let Ok(provider_type) = provider.spec.provider_type.parse::<ProviderType>() else {
            continue;
        };
        let hosted = (hosted.into_iter())
            .map(|(z, domain)| HostedZone {
                id: z.id.into(),
                domain,
                provider_type,
                private: z.private,
            })
            .collect();
        zones.insert(item.provider, hosted);
    }
    Ok(zones)
}

/// Resolves host names with the system resolver; a name that does not resolve gets no
/// addresses (Gardener drops names that are not found).
pub fn resolve(hosts: &BTreeSet<DnsName>) -> BTreeMap<DnsName, Vec<IpAddr>> {
    hosts
        .iter()
        .map(|host| {
            let addresses = (host.as_str(), 0)
                .to_socket_addrs()
                .map(|found| found.map(|a| a.ip()).collect())
                .unwrap_or_default();
            (host.clone(), addresses)
        })
        .collect()
}

/// The Secret a provider's `secretRef` names, in the provider's namespace (of a Secret given
/// twice, the last one, as in the plan).
pub fn secret_of<'w>(
    world: &'w World,
    provider: &shoot_dns::api::DnsProvider,
) -> Option<&'w shoot_dns::api::Secret> {
    let namespace = provider.metadata.namespace_or_default();
    let reference = provider.spec.secret_ref.as_ref()?;
    (world.secrets.iter().rev()).find(|s| {
        s.metadata.namespace_or_default() == namespace
            && s.metadata.name_or_empty() == reference.name
    })
}
