//! Reading manifests from files, directories and standard input.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::net::{IpAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use shoot_dns::provider::HostedZone;
use shoot_dns::{DnsName, World};

/// Loads every path into `world`. A file that cannot be read or parsed stops everything: the
/// message names the file, the document and the line.
pub fn load_paths(world: &mut World, paths: &[PathBuf]) -> Result<(), String> {
    for (name, text) in read_texts(paths)? {
        shoot_dns::manifest::load_str(world, &name, &text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The text of every manifest at `paths` (files, directories, `-`), each with the name that
/// messages use.
pub fn read_texts(paths: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut texts = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("-: cannot read standard input: {e}"))?;
            texts.push(("-".to_owned(), text));
            continue;
        }
        let mut files = Vec::new();
        collect(path, &mut files, true)?;
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
            texts.push((file.display().to_string(), text));
        }
    }
    Ok(texts)
}

/// The manifest files at `path`: the file itself, or every `*.yaml`, `*.yml` and `*.json`
/// below a directory, in sorted order.
fn collect(path: &Path, files: &mut Vec<PathBuf>, given: bool) -> Result<(), String> {
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if metadata.is_dir() {
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: cannot read the directory: {e}", path.display()))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: cannot read the directory: {e}", path.display()))?;
        children.sort();
        for child in children {
            collect(&child, files, false)?;
        }
    } else if given || is_manifest(path) {
        files.push(path.to_owned());
    }
    Ok(())
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
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
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
                Ok(HostedZone {
                    id: z.id,
                    domain,
                    provider_type: provider.spec.provider_type.clone(),
                    private: z.private,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
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
