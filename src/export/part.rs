//! Shard parts and checkpoints: the partial statistics of a streaming run, in one file.
//!
//! Format (version [`FORMAT`]), `part-K-of-N.defsim`:
//!
//! ```text
//! defsim-part 2\n                      magic and format version
//! {"format":2, ...}\n                  header: one line of JSON (PartHeader)
//! <body_bytes bytes>                   body: the statistics (postcard encoding of StreamStats)
//! <rows.bytes bytes>                   a shard's trial rows, when the run writes trials.csv
//!                                      or trials.parquet (encoded as crate::export::rows says)
//! ```
//!
//! The header names the run the part belongs to (defsim version, the resolved scenario's
//! SHA-256 and what a report needs of it, seed, trial count, sampling design, the model's
//! schema), which share it holds (`n`, `k`, the blocks `[start, end)`), the body's length
//! and SHA-256, and the trial rows' (`rows`: null when the run writes no trial table; a
//! checkpoint keeps its rows in a file beside it instead). A reader checks all of it: a truncated or corrupted part, or one of another
//! run, is refused with a message naming the file. Parts are written to a temporary name
//! beside the target and renamed into place, so several shards may write into one folder and
//! a reader never sees half a part.

use std::fs::File;
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analysis::run::{ParamInfo, ScenarioInfo, SummaryMeta};
use crate::engine::{Schema, StreamStats};
use crate::export::rows::{RowsInfo, RowsReader, hex, sha256_of};
use crate::export::staging;

/// Version of the part format.
pub const FORMAT: u32 = 2;

/// First line of every part.
const MAGIC: &str = "defsim-part 2";

/// The longest header line read.
const HEADER_MAX: u64 = 1 << 26;

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
    /// The trial rows held (a shard's follow the body; a checkpoint's are in a file beside
    /// it), with the trial tables the run writes; `None` when it writes none.
    #[serde(default)]
    pub rows: Option<RowsInfo>,
}

/// The file name of shard `k` of `n`.
pub fn file_name(k: u64, n: u64) -> String {
    format!("part-{k}-of-{n}.defsim")
}

/// SHA-256 in hex.
fn sha256(bytes: &[u8]) -> String {
    hex(Sha256::digest(bytes).as_slice())
}

/// Writes a part (header fields but the body's length and checksum given) to `path`,
/// atomically: a staging file in the same folder, flushed to disk, then renamed.
pub fn write(path: &Path, header: &PartHeader, stats: &StreamStats) -> io::Result<()> {
    write_with_rows(path, header, stats, None)
}

/// [`write`], followed in the same file by the trial rows that `header.rows` describes,
/// copied from the file `rows`.
pub fn write_with_rows(
    path: &Path,
    header: &PartHeader,
    stats: &StreamStats,
    rows: Option<&Path>,
) -> io::Result<()> {
    let body = postcard::to_stdvec(stats).map_err(io::Error::other)?;
    let mut header = header.clone();
    header.format = FORMAT;
    header.body_bytes = body.len() as u64;
    header.body_sha256 = sha256(&body);
    staging::write_atomic_with(path, |f| {
        let mut w = io::BufWriter::new(f);
        w.write_all(MAGIC.as_bytes())?;
        w.write_all(b"\n")?;
        w.write_all(serde_json::to_string(&header)?.as_bytes())?;
        w.write_all(b"\n")?;
        w.write_all(&body)?;
        if let (Some(from), Some(info)) = (rows, &header.rows) {
            let copied = io::copy(&mut File::open(from)?.take(info.bytes), &mut w)?;
            if copied != info.bytes {
                return Err(io::Error::other("the trial rows are shorter than recorded"));
            }
        }
        w.flush()
    })
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
    #[error("{0}: truncated: {1} bytes of {2}, {3} expected")]
    Truncated(PathBuf, u64, &'static str, u64),
    /// The body's checksum does not match.
    #[error("{0}: corrupted: its checksum does not match its content")]
    Corrupted(PathBuf),
}

/// The magic line and header of the part at `path`, and where its body starts.
fn open(path: &Path) -> Result<(PartHeader, BufReader<File>, u64, u64), PartError> {
    let io_err = |e| PartError::Io(path.to_path_buf(), e);
    let not_a_part = |why: &str| PartError::NotAPart(path.to_path_buf(), why.to_string());
    let file = File::open(path).map_err(io_err)?;
    let len = file.metadata().map_err(io_err)?.len();
    let mut r = BufReader::new(file);
    let mut magic = Vec::new();
    (&mut r)
        .take(64)
        .read_until(b'\n', &mut magic)
        .map_err(io_err)?;
    if magic.strip_suffix(b"\n") != Some(MAGIC.as_bytes()) {
        return Err(match magic.strip_prefix(b"defsim-part ") {
            Some(v) => not_a_part(&format!(
                "format {}, this defsim reads format {FORMAT}",
                String::from_utf8_lossy(v).trim()
            )),
            None => not_a_part(&format!("it does not start with `{MAGIC}`")),
        });
    }
    let mut line = Vec::new();
    (&mut r)
        .take(HEADER_MAX)
        .read_until(b'\n', &mut line)
        .map_err(io_err)?;
    if line.last() != Some(&b'\n') {
        return Err(not_a_part("truncated header"));
    }
    let header: PartHeader =
        serde_json::from_slice(&line).map_err(|e| not_a_part(&format!("bad header: {e}")))?;
    if header.format != FORMAT {
        return Err(not_a_part(&format!(
            "format {}, this defsim reads format {FORMAT}",
            header.format
        )));
    }
    let offset = (magic.len() + line.len()) as u64;
    Ok((header, r, offset, len))
}

/// Reads and checks a part: magic, header, length and checksum of the body and of a shard's
/// trial rows, shape of the statistics.
pub fn read(path: &Path) -> Result<(PartHeader, StreamStats), PartError> {
    let io_err = |e| PartError::Io(path.to_path_buf(), e);
    let (header, mut r, offset, len) = open(path)?;
    let have = len - offset;
    if have < header.body_bytes {
        return Err(PartError::Truncated(
            path.to_path_buf(),
            have,
            "statistics",
            header.body_bytes,
        ));
    }
    let rows = match (&header.rows, header.kind.as_str()) {
        (Some(info), "shard") => Some(info),
        _ => None,
    };
    let rows_bytes = rows.map_or(0, |i| i.bytes);
    if have - header.body_bytes < rows_bytes {
        return Err(PartError::Truncated(
            path.to_path_buf(),
            have - header.body_bytes,
            "trial rows",
            rows_bytes,
        ));
    }
    if have != header.body_bytes + rows_bytes {
        return Err(PartError::Corrupted(path.to_path_buf()));
    }
    let mut body = vec![0u8; header.body_bytes as usize];
    r.read_exact(&mut body).map_err(io_err)?;
    if sha256(&body) != header.body_sha256 {
        return Err(PartError::Corrupted(path.to_path_buf()));
    }
    let stats: StreamStats =
        postcard::from_bytes(&body).map_err(|_| PartError::Corrupted(path.to_path_buf()))?;
    if !stats.fits(&header.schema) {
        return Err(PartError::Corrupted(path.to_path_buf()));
    }
    if let Some(info) = rows
        && sha256_of(&mut r, info.bytes).map_err(io_err)?.as_deref() != Some(&info.sha256)
    {
        return Err(PartError::Corrupted(path.to_path_buf()));
    }
    Ok((header, stats))
}

/// The trial rows of the shard part at `path` (read and checked by [`read`] first).
pub fn rows(path: &Path) -> Result<RowsReader<BufReader<File>>, PartError> {
    let (header, mut r, _, _) = open(path)?;
    let info = header
        .rows
        .clone()
        .ok_or_else(|| PartError::NotAPart(path.to_path_buf(), "it holds no trial rows".into()))?;
    io::copy(&mut (&mut r).take(header.body_bytes), &mut io::sink())
        .map_err(|e| PartError::Io(path.to_path_buf(), e))?;
    let columns = header.schema.inputs.len() + header.schema.outcomes.len();
    Ok(RowsReader::new(r, &info, columns))
}
