//! Thumbnails: [`ThumbnailJob`] fetches the image a source gave for each paper on
//! the daily lists (`Paper::thumbnail`), newest lists first, scales it down to a
//! small JPEG ([`make_thumbnail`]) and keeps it in the data dir, where the web
//! server serves it (`paperboy_core::thumbnail`). Every instance keeps its own copy,
//! fetched once; readers' browsers never call the source.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageReader, Limits, Rgb, RgbImage};
use paperboy_core::ArxivId;
use paperboy_core::endpoint::error_message;
use paperboy_core::thumbnail::file_name;
use paperboy_jobs::{BoxFuture, Job, JobContext, JobError, JobSpec, Outcome, Progress, Scope};
use paperboy_store::Store;

use crate::http::{self, BodyError};
use crate::{EnrichError, Result};

/// Widest and tallest thumbnail, in pixels (twice the list's display size, for
/// sharp screens).
pub const MAX_SIDE: u32 = 480;
/// JPEG quality.
const QUALITY: u8 = 80;
/// Largest source image fetched.
const MAX_SOURCE_BYTES: usize = 12 << 20;
/// Largest source image decoded, per side.
const MAX_SOURCE_SIDE: u32 = 12_000;
/// Memory a decode may take.
const MAX_DECODE_BYTES: u64 = 512 << 20;
/// How long a fetch may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// A paper whose image could not be made is tried again after this long.
const RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Papers looked at per read of the database.
const PAGE: u32 = 500;
/// Images fetched per round before the job yields to the runner.
const PER_ROUND: u64 = 50;

/// Why an image could not be made into a thumbnail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThumbnailFailure {
    /// The source did not answer, or answered with an error.
    Fetch(String),
    /// What it answered is not an image paperboy can read, or is too large.
    Image(String),
}

impl std::fmt::Display for ThumbnailFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Fetch(detail) => write!(f, "fetching it failed: {detail}"),
            Self::Image(detail) => write!(f, "not a usable image: {detail}"),
        }
    }
}

/// Decodes `bytes` (PNG, JPEG, GIF's first frame or WebP), scales it to fit
/// [`MAX_SIDE`] (never up), flattens transparency onto white and encodes a JPEG.
pub fn make_thumbnail(bytes: &[u8]) -> Result<Vec<u8>, ThumbnailFailure> {
    let bad = |e: &dyn std::fmt::Display| ThumbnailFailure::Image(e.to_string());
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| bad(&e))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| bad(&e))?;
    let image = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    let rgba = image.to_rgba8();
    let flat = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let c = u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a));
            u8::try_from(c / 255).unwrap_or(u8::MAX)
        };
        Rgb([over_white(r), over_white(g), over_white(b)])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(flat)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, QUALITY))
        .map_err(|e| bad(&e))?;
    Ok(out)
}

/// Fetches the images of the papers on the daily lists into `dir`, newest lists
/// first. Runs on every instance: each keeps its own copies.
#[derive(Debug)]
pub struct ThumbnailJob {
    store: Store,
    client: reqwest::Client,
    dir: PathBuf,
}

impl ThumbnailJob {
    /// A job keeping thumbnails in `dir` (the data dir's `thumbnails`).
    pub fn new(store: Store, dir: PathBuf) -> Result<Self> {
        let client = http::client(TIMEOUT).map_err(|detail| EnrichError::ThumbnailDir {
            dir: dir.clone(),
            detail,
        })?;
        std::fs::create_dir_all(&dir).map_err(|e| EnrichError::ThumbnailDir {
            dir: dir.clone(),
            detail: e.to_string(),
        })?;
        Ok(Self { store, client, dir })
    }

    /// One round: makes the thumbnails still missing, at most [`PER_ROUND`].
    pub async fn run_round(&self, ctx: &JobContext) -> Result<Outcome> {
        let mut progress = Progress::default();
        let mut offset = 0;
        loop {
            let page = self.store.thumbnail_sources(offset, PAGE).await?;
            offset += page.len() as u64;
            for (id, url) in &page {
                if ctx.is_cancelled() {
                    return Ok(Outcome::Idle);
                }
                if !self.wanted(id) {
                    progress.unchanged += 1;
                    continue;
                }
                if progress.done + progress.failed >= PER_ROUND {
                    ctx.report(progress);
                    return Ok(Outcome::Busy);
                }
                match self.fetch(url).await {
                    Ok(jpeg) => {
                        self.save(id, &jpeg)?;
                        progress.done += 1;
                    }
                    Err(failure) => {
                        tracing::info!(paper = %id, url, "no thumbnail: {failure}");
                        self.save_failure(id, &failure)?;
                        progress.failed += 1;
                    }
                }
                ctx.report(progress);
            }
            if page.len() < PAGE as usize {
                return Ok(Outcome::Idle);
            }
        }
    }

    /// The image at `url`, as a thumbnail.
    pub async fn fetch(&self, url: &str) -> Result<Vec<u8>, ThumbnailFailure> {
        let failed = |e: &reqwest::Error| ThumbnailFailure::Fetch(http::failure(e));
        let response = self.client.get(url).send().await.map_err(|e| failed(&e))?;
        let status = response.status();
        let body = http::read_capped(response, MAX_SOURCE_BYTES)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge(limit) => {
                    ThumbnailFailure::Image(format!("larger than {limit} bytes"))
                }
                BodyError::Transport(e) => failed(&e),
            })?;
        if !status.is_success() {
            return Err(ThumbnailFailure::Fetch(format!(
                "HTTP {status}: {}",
                error_message(&body)
            )));
        }
        tokio::task::spawn_blocking(move || make_thumbnail(&body))
            .await
            .map_err(|e| ThumbnailFailure::Image(format!("the decoder stopped: {e}")))?
    }

    /// Whether `id` needs a thumbnail: none yet, and no failure within
    /// [`RETRY_AFTER`].
    fn wanted(&self, id: &ArxivId) -> bool {
        let file = self.dir.join(file_name(id));
        if file.is_file() {
            return false;
        }
        let failed_at = std::fs::metadata(failure_marker(&file)).and_then(|m| m.modified());
        match failed_at {
            Ok(at) => SystemTime::now()
                .duration_since(at)
                .is_ok_and(|age| age >= RETRY_AFTER),
            Err(_) => true,
        }
    }

    /// Writes `id`'s thumbnail, whole or not at all.
    fn save(&self, id: &ArxivId, jpeg: &[u8]) -> Result<()> {
        let file = self.dir.join(file_name(id));
        let partial = file.with_extension("jpg.partial");
        let io = |e: std::io::Error| EnrichError::ThumbnailDir {
            dir: self.dir.clone(),
            detail: e.to_string(),
        };
        std::fs::write(&partial, jpeg).map_err(io)?;
        std::fs::rename(&partial, &file).map_err(io)?;
        let _ = std::fs::remove_file(failure_marker(&file));
        Ok(())
    }

    /// Records why `id` has no thumbnail, so it is not tried again at once.
    fn save_failure(&self, id: &ArxivId, failure: &ThumbnailFailure) -> Result<()> {
        let marker = failure_marker(&self.dir.join(file_name(id)));
        std::fs::write(marker, failure.to_string()).map_err(|e| EnrichError::ThumbnailDir {
            dir: self.dir.clone(),
            detail: e.to_string(),
        })
    }
}

/// The file that says why `file` could not be made.
fn failure_marker(file: &Path) -> PathBuf {
    file.with_extension("jpg.failed")
}

impl Job for ThumbnailJob {
    fn spec(&self) -> JobSpec {
        JobSpec::new("thumbnails", Scope::Instance, Duration::from_secs(60))
    }

    fn run<'a>(&'a self, ctx: &'a JobContext) -> BoxFuture<'a, Result<Outcome, JobError>> {
        Box::pin(async move { Ok(self.run_round(ctx).await?) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, alpha: u8) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, _| {
            image::Rgba([u8::try_from(x % 256).unwrap_or(0), 40, 200, alpha])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(image)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_large_figure_becomes_a_small_jpeg_of_the_same_shape() {
        let jpeg = make_thumbnail(&png(1200, 630, 255)).unwrap();
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "a JPEG");
        let made = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((made.width(), made.height()), (480, 252));
        assert!(jpeg.len() < 60_000, "{} bytes", jpeg.len());
    }

    #[test]
    fn small_images_stay_their_size_and_transparency_turns_white() {
        let made = image::load_from_memory(&make_thumbnail(&png(100, 40, 0)).unwrap()).unwrap();
        assert_eq!((made.width(), made.height()), (100, 40));
        let pixel = made.to_rgb8().get_pixel(50, 20).0;
        assert!(pixel.iter().all(|c| *c > 240), "{pixel:?}");
    }

    #[test]
    fn what_is_not_an_image_is_refused_with_a_reason() {
        for bad in [&b"<html>not found</html>"[..], &[], &png(10, 10, 255)[..40]] {
            assert!(
                matches!(make_thumbnail(bad), Err(ThumbnailFailure::Image(_))),
                "{bad:?}"
            );
        }
    }
}
