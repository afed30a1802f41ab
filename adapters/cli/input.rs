//! Reading manifests from files, directories and standard input.

use std::io::Read;
use std::path::{Path, PathBuf};

use shoot_dns::World;

/// Loads every path into `world`. A file that cannot be read or parsed stops everything: the
/// message names the file, the document and the line.
pub fn load_paths(world: &mut World, paths: &[PathBuf]) -> Result<(), String> {
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("-: cannot read standard input: {e}"))?;
            shoot_dns::manifest::load_str(world, "-", &text).map_err(|e| e.to_string())?;
            continue;
        }
        let mut files = Vec::new();
        collect(path, &mut files, true)?;
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
            shoot_dns::manifest::load_str(world, &file.display().to_string(), &text)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
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
