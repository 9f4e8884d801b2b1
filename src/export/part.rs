//! Shard parts and checkpoints: the partial statistics of a streaming run, in one file.
//!
//! Format (version [`FORMAT`]), `part-K-of-N.defsim`:
//!
//! ```text
//! defsim-part 1\n                      magic and format version
//! {"format":1, ...}\n                  header: one line of JSON (PartHeader)
//! <body_bytes bytes>                   body: the statistics (postcard encoding of StreamStats)
//! ```
//!
//! The header names the run the part belongs to (defsim version, the resolved scenario's
//! SHA-256 and what a report needs of it, seed, trial count, sampling design, the model's
//! schema), which share it holds (`n`, `k`, the blocks `[start, end)`), and the body's length
//! and SHA-256. A reader checks all of it: a truncated or corrupted part, or one of another
//! run, is refused with a message naming the file. Parts are written to a temporary name
//! beside the target and renamed into place, so several shards may write into one folder and
//! a reader never sees half a part.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analysis::run::{ParamInfo, ScenarioInfo, SummaryMeta};
use crate::engine::{Schema, StreamStats};

/// Version of the part format.
pub const FORMAT: u32 = 1;

/// First line of every part.
const MAGIC: &str = "defsim-part 1";

/// The scenario as a merge needs it: the summary's metadata, the thresholds the plots draw,
/// and how the run was invoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartScenario {
    /// Name, file name, resolved SHA-256, description.
    pub info: ScenarioInfo,
    /// First calendar year and number of years.
    pub start_year: i32,
    pub horizon_years: usize,
    /// Every parameter with its distribution and source.
    pub parameters: Vec<ParamInfo>,
    /// Each criterion's threshold parameter with its fixed value (`None`: not fixed).
    pub thresholds: Vec<(String, Option<f64>)>,
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// `--set` overrides.
    pub overrides: Vec<String>,
}

impl PartScenario {
    /// The summary metadata.
    pub fn meta(&self) -> SummaryMeta {
        SummaryMeta {
            scenario: self.info.clone(),
            start_year: self.start_year,
            horizon_years: self.horizon_years,
            parameters: self.parameters.clone(),
        }
    }
}

/// The header line of a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartHeader {
    /// [`FORMAT`].
    pub format: u32,
    /// `shard` or `checkpoint`.
    pub kind: String,
    /// Version of defsim that wrote it.
    pub defsim_version: String,
    /// The run's scenario.
    pub scenario: PartScenario,
    /// The model's names (outcomes, series, years).
    pub schema: Schema,
    /// Seed, trial count and sampling design of the whole run.
    pub seed: u64,
    pub trials: u64,
    pub design: String,
    /// Shard `k` of `n` (a checkpoint is shard 0 of 1).
    pub n: u64,
    pub k: u64,
    /// The blocks whose trials the body holds, `[start, end)`.
    pub blocks: [u64; 2],
    /// Length and SHA-256 (hex) of the body.
    pub body_bytes: u64,
    pub body_sha256: String,
}

/// The file name of shard `k` of `n`.
pub fn file_name(k: u64, n: u64) -> String {
    format!("part-{k}-of-{n}.defsim")
}

/// SHA-256 in hex.
fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes a part (header fields but the body's length and checksum given) to `path`,
/// atomically: a temporary file in the same folder, flushed to disk, then renamed.
pub fn write(path: &Path, header: &PartHeader, stats: &StreamStats) -> io::Result<()> {
    let body = postcard::to_stdvec(stats).map_err(io::Error::other)?;
    let mut header = header.clone();
    header.format = FORMAT;
    header.body_bytes = body.len() as u64;
    header.body_sha256 = sha256(&body);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&temp)?;
        f.write_all(MAGIC.as_bytes())?;
        f.write_all(b"\n")?;
        f.write_all(serde_json::to_string(&header)?.as_bytes())?;
        f.write_all(b"\n")?;
        f.write_all(&body)?;
        f.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Why a part cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// The file cannot be read.
    #[error("{0}: cannot read: {1}")]
    Io(PathBuf, io::Error),
    /// Not a part of this format.
    #[error("{0}: not a defsim part (format {FORMAT}): {1}")]
    NotAPart(PathBuf, String),
    /// Shorter than its header says.
    #[error("{0}: truncated: {1} bytes of statistics, {2} expected")]
    Truncated(PathBuf, u64, u64),
    /// The body's checksum does not match.
    #[error("{0}: corrupted: its checksum does not match its content")]
    Corrupted(PathBuf),
}

/// Reads and checks a part: magic, header, length and checksum of the body, shape of the
/// statistics.
pub fn read(path: &Path) -> Result<(PartHeader, StreamStats), PartError> {
    let bytes = fs::read(path).map_err(|e| PartError::Io(path.to_path_buf(), e))?;
    let not_a_part = |why: &str| PartError::NotAPart(path.to_path_buf(), why.to_string());
    let mut lines = bytes.splitn(3, |&b| b == b'\n');
    let magic = lines.next().unwrap_or_default();
    if magic != MAGIC.as_bytes() {
        return Err(not_a_part("it does not start with `defsim-part 1`"));
    }
    let header_line = lines.next().ok_or_else(|| not_a_part("no header"))?;
    let Some(body) = lines.next() else {
        return Err(PartError::Truncated(path.to_path_buf(), 0, 1));
    };
    let header: PartHeader = serde_json::from_slice(header_line).map_err(|e| {
        if bytes.len() < MAGIC.len() + 2 + header_line.len() {
            not_a_part("truncated header")
        } else {
            not_a_part(&format!("bad header: {e}"))
        }
    })?;
    if header.format != FORMAT {
        return Err(not_a_part(&format!(
            "format {}, this defsim reads format {FORMAT}",
            header.format
        )));
    }
    if (body.len() as u64) < header.body_bytes {
        return Err(PartError::Truncated(
            path.to_path_buf(),
            body.len() as u64,
            header.body_bytes,
        ));
    }
    if body.len() as u64 != header.body_bytes || sha256(body) != header.body_sha256 {
        return Err(PartError::Corrupted(path.to_path_buf()));
    }
    let stats: StreamStats =
        postcard::from_bytes(body).map_err(|_| PartError::Corrupted(path.to_path_buf()))?;
    if !stats.fits(&header.schema) {
        return Err(PartError::Corrupted(path.to_path_buf()));
    }
    Ok((header, stats))
}
