//! Shard parts and checkpoints: the partial result of a streaming run or of one shard of an
//! experiment, in one file.
//!
//! Format (version [`FORMAT`]), `part-K-of-N.defsim`:
//!
//! ```text
//! defsim-part 3\n                      magic and format version
//! {"format":3,"kind":...}\n            header: one line of JSON
//! <body_bytes bytes>                   body (postcard encoding)
//! <rows.bytes bytes>                   a run shard's trial rows, when the run writes
//!                                      trials.csv or trials.parquet (encoded as
//!                                      crate::export::rows says)
//! ```
//!
//! `kind` says what the part holds:
//! * `shard` (one shard of `defsim run --shard`) and `checkpoint` (a checkpointed run):
//!   the header is a [`PartHeader`], naming the run (defsim version, the resolved
//!   scenario's SHA-256 and what a report needs of it, seed, trial count, sampling design,
//!   the model's schema), the share held (`n`, `k`, the blocks `[start, end)`), the body's
//!   length and SHA-256, and the trial rows' (`rows`: null when the run writes no trial
//!   table; a checkpoint keeps its rows in a file beside it instead). The body is a
//!   [`RunBody`]: the streaming statistics and the [`DriverSample`] of the share's trials
//!   among the run's first 100,000.
//! * `explore` (one shard of `defsim explore --shard`): the header is an [`ExploreHeader`],
//!   naming the experiment (its file and that file's SHA-256, a SHA-256 over every policy's
//!   resolved scenario, seed, trials, the kept outcomes), the share held and the body's
//!   length and SHA-256. The body is every member's (the scenario as written, then the
//!   policies) kept outcome columns over the share's trials, `columns[member][outcome][i]`.
//!
//! Versions: format 3 added the `explore` kind and the driver sample of run parts. This
//! defsim still reads format 2 run parts (their body is the statistics alone): they merge
//! as before, without drivers. A reader checks everything: a truncated or corrupted part, or
//! one of another run, is refused with a message naming the file. Parts are written to a
//! temporary name beside the target and renamed into place, so several shards may write
//! into one folder and a reader never sees half a part.

use std::fs::File;
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analysis::drivers::DriverSample;
use crate::analysis::run::{ParamInfo, ScenarioInfo, SummaryMeta};
use crate::engine::{Schema, ShardPlan, StreamStats};
use crate::export::rows::{RowsInfo, RowsReader, hex, sha256_of};
use crate::export::staging;

/// Version of the part format written.
pub const FORMAT: u32 = 3;

/// The formats read: 2 (run parts without drivers) and 3.
const READS: [u32; 2] = [2, 3];

/// First line of a part of format `v`.
fn magic(v: u32) -> String {
    format!("defsim-part {v}")
}

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

/// Claims the file of shard `plan` in the folder of parts `dir`, which the plan's `n` shards
/// share ([`staging::claim_shared`]: a refusal is bad input, exit 2), and returns its path.
pub fn claim_shard(dir: &Path, plan: ShardPlan) -> Result<PathBuf, staging::Refusal> {
    let mine = file_name(plan.k, plan.n);
    let all: Vec<String> = (0..plan.n).map(|k| file_name(k, plan.n)).collect();
    staging::claim_shared(dir, &all, &mine)?;
    Ok(dir.join(mine))
}

/// SHA-256 in hex.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex(Sha256::digest(bytes).as_slice())
}

/// The body of a run part (format 3): the statistics of its trials and the drivers'
/// sample of its trials among the run's first ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunBody {
    /// Statistics of the trials held.
    pub stats: StreamStats,
    /// The share's trials among the first `min(trials, DRIVER_TRIALS)`.
    pub drivers: DriverSample,
}

/// The header line of an explore part (`kind` `explore`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExploreHeader {
    /// [`FORMAT`].
    pub format: u32,
    /// `explore`.
    pub kind: String,
    /// Version of defsim that wrote it.
    pub defsim_version: String,
    /// `experiment.name`.
    pub experiment: String,
    /// The experiment file, as an absolute path (`merge` reloads it from there, or from
    /// its `--experiment FILE`).
    pub experiment_file: String,
    /// SHA-256 of the experiment file's bytes.
    pub experiment_sha256: String,
    /// SHA-256 over every member's resolved scenario (the scenario as written, then each
    /// policy), so a change to the scenario file is seen too.
    pub resolved_sha256: String,
    /// Members: the scenario as written and the policies.
    pub members: u64,
    /// The outcomes kept per member, in order.
    pub outcomes: Vec<String>,
    /// Seed and trials (per policy) of the whole experiment.
    pub seed: u64,
    pub trials: u64,
    /// Shard `k` of `n`.
    pub n: u64,
    pub k: u64,
    /// The blocks whose trials the body holds, `[start, end)`.
    pub blocks: [u64; 2],
    /// Length and SHA-256 (hex) of the body.
    pub body_bytes: u64,
    pub body_sha256: String,
}

/// Every member's kept outcome columns over a shard's trials: `columns[member][outcome][i]`.
pub type MemberColumns = Vec<Vec<Vec<f64>>>;

/// The kind of an explore part.
pub const EXPLORE: &str = "explore";

/// Writes `header` and `body` (postcard bytes) into the staging file of `path`, then
/// `rest`, then renames it over `path`.
fn write_part(
    path: &Path,
    header: &impl Serialize,
    body: &[u8],
    rest: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
) -> io::Result<()> {
    staging::write_atomic_with(path, |f| {
        let mut w = io::BufWriter::new(f);
        w.write_all(magic(FORMAT).as_bytes())?;
        w.write_all(b"\n")?;
        w.write_all(serde_json::to_string(header)?.as_bytes())?;
        w.write_all(b"\n")?;
        w.write_all(body)?;
        rest(&mut w)?;
        w.flush()
    })
}

/// [`RunBody`], borrowed, to write (the same encoding).
#[derive(Serialize)]
struct RunBodyRef<'a> {
    stats: &'a StreamStats,
    drivers: &'a DriverSample,
}

/// Writes a part (header fields but the body's length and checksum given) to `path`,
/// atomically: a staging file in the same folder, flushed to disk, then renamed.
pub fn write(
    path: &Path,
    header: &PartHeader,
    stats: &StreamStats,
    drivers: &DriverSample,
) -> io::Result<()> {
    write_with_rows(path, header, stats, drivers, None)
}

/// [`write`], followed in the same file by the trial rows that `header.rows` describes,
/// copied from the file `rows`.
pub fn write_with_rows(
    path: &Path,
    header: &PartHeader,
    stats: &StreamStats,
    drivers: &DriverSample,
    rows: Option<&Path>,
) -> io::Result<()> {
    let body = postcard::to_stdvec(&RunBodyRef { stats, drivers }).map_err(io::Error::other)?;
    let mut header = header.clone();
    header.format = FORMAT;
    header.body_bytes = body.len() as u64;
    header.body_sha256 = sha256(&body);
    write_part(path, &header, &body, |w| {
        if let (Some(from), Some(info)) = (rows, &header.rows) {
            let copied = io::copy(&mut File::open(from)?.take(info.bytes), w)?;
            if copied != info.bytes {
                return Err(io::Error::other("the trial rows are shorter than recorded"));
            }
        }
        Ok(())
    })
}

/// Writes an explore part: `columns[member][outcome][i]` over the shard's trials.
pub fn write_explore(
    path: &Path,
    header: &ExploreHeader,
    columns: &[Vec<Vec<f64>>],
) -> io::Result<()> {
    let body = postcard::to_stdvec(columns).map_err(io::Error::other)?;
    let mut header = header.clone();
    header.format = FORMAT;
    header.kind = EXPLORE.into();
    header.body_bytes = body.len() as u64;
    header.body_sha256 = sha256(&body);
    write_part(path, &header, &body, |_| Ok(()))
}

/// Why a part cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PartError {
    /// The file cannot be read.
    #[error("{0}: cannot read: {1}")]
    Io(PathBuf, io::Error),
    /// Not a part of a format this defsim reads.
    #[error("{0}: not a defsim part (formats 2 and 3): {1}")]
    NotAPart(PathBuf, String),
    /// Shorter than its header says.
    #[error("{0}: truncated: {1} bytes of {2}, {3} expected")]
    Truncated(PathBuf, u64, &'static str, u64),
    /// The body's checksum does not match.
    #[error("{0}: corrupted: its checksum does not match its content")]
    Corrupted(PathBuf),
}

/// The fields every header has.
#[derive(Deserialize)]
struct Envelope {
    format: u32,
    kind: String,
}

/// An open part: its path, its header line, the reader at its body, where the body starts,
/// the file's length.
struct Opened {
    path: PathBuf,
    format: u32,
    kind: String,
    line: Vec<u8>,
    r: BufReader<File>,
    offset: u64,
    len: u64,
}

/// The magic line and header line of the part at `path`, and where its body starts.
fn open(path: &Path) -> Result<Opened, PartError> {
    let io_err = |e| PartError::Io(path.to_path_buf(), e);
    let not_a_part = |why: &str| PartError::NotAPart(path.to_path_buf(), why.to_string());
    let file = File::open(path).map_err(io_err)?;
    let len = file.metadata().map_err(io_err)?.len();
    let mut r = BufReader::new(file);
    let mut first = Vec::new();
    (&mut r)
        .take(64)
        .read_until(b'\n', &mut first)
        .map_err(io_err)?;
    let Some(format) = READS
        .into_iter()
        .find(|&v| first.strip_suffix(b"\n") == Some(magic(v).as_bytes()))
    else {
        return Err(match first.strip_prefix(b"defsim-part ") {
            Some(v) => not_a_part(&format!(
                "format {}, this defsim reads formats 2 and 3",
                String::from_utf8_lossy(v).trim()
            )),
            None => not_a_part(&format!("it does not start with `{}`", magic(FORMAT))),
        });
    };
    let mut line = Vec::new();
    (&mut r)
        .take(HEADER_MAX)
        .read_until(b'\n', &mut line)
        .map_err(io_err)?;
    if line.last() != Some(&b'\n') {
        return Err(not_a_part("truncated header"));
    }
    let envelope: Envelope =
        serde_json::from_slice(&line).map_err(|e| not_a_part(&format!("bad header: {e}")))?;
    if envelope.format != format {
        return Err(not_a_part(&format!(
            "its header says format {}, its first line {format}",
            envelope.format
        )));
    }
    if format < 3 && envelope.kind == EXPLORE {
        return Err(not_a_part("an explore part of format 2"));
    }
    let offset = (first.len() + line.len()) as u64;
    Ok(Opened {
        path: path.to_path_buf(),
        format,
        kind: envelope.kind,
        line,
        r,
        offset,
        len,
    })
}

impl Opened {
    /// The header line as the header of its kind (`T`: [`PartHeader`], [`ExploreHeader`]).
    fn header<T: serde::de::DeserializeOwned>(&self) -> Result<T, PartError> {
        serde_json::from_slice(&self.line)
            .map_err(|e| PartError::NotAPart(self.path.clone(), format!("bad header: {e}")))
    }
}

/// The kind of the part at `path` (`shard`, `checkpoint` or `explore`), from its header.
pub fn kind(path: &Path) -> Result<String, PartError> {
    open(path).map(|o| o.kind)
}

/// Reads `body_bytes` of body (checking the file's length against the body and `rest`
/// more bytes, and the body's checksum).
fn body(
    path: &Path,
    o: &mut Opened,
    body_bytes: u64,
    body_sha256: &str,
    rest: (u64, &'static str),
) -> Result<Vec<u8>, PartError> {
    let have = o.len - o.offset;
    if have < body_bytes {
        return Err(PartError::Truncated(
            path.to_path_buf(),
            have,
            "statistics",
            body_bytes,
        ));
    }
    if have - body_bytes < rest.0 {
        return Err(PartError::Truncated(
            path.to_path_buf(),
            have - body_bytes,
            rest.1,
            rest.0,
        ));
    }
    if have != body_bytes + rest.0 {
        return Err(PartError::Corrupted(path.to_path_buf()));
    }
    let mut body = vec![0u8; body_bytes as usize];
    o.r.read_exact(&mut body)
        .map_err(|e| PartError::Io(path.to_path_buf(), e))?;
    if sha256(&body) != body_sha256 {
        return Err(PartError::Corrupted(path.to_path_buf()));
    }
    Ok(body)
}

/// Reads and checks a run part (a shard or a checkpoint): magic, header, length and
/// checksum of the body and of a shard's trial rows, shape of the statistics and of the
/// drivers' sample (empty in a part of format 2).
pub fn read(path: &Path) -> Result<(PartHeader, RunBody), PartError> {
    let mut o = open(path)?;
    if o.kind == EXPLORE {
        return Err(PartError::NotAPart(
            path.to_path_buf(),
            "a part of `defsim explore --shard`, not of a run".into(),
        ));
    }
    let header: PartHeader = o.header()?;
    let rows = match (&header.rows, header.kind.as_str()) {
        (Some(info), "shard") => Some(info),
        _ => None,
    };
    let rows_bytes = rows.map_or(0, |i| i.bytes);
    let bytes = body(
        path,
        &mut o,
        header.body_bytes,
        &header.body_sha256,
        (rows_bytes, "trial rows"),
    )?;
    let corrupted = || PartError::Corrupted(path.to_path_buf());
    let body = if o.format == 2 {
        RunBody {
            stats: postcard::from_bytes(&bytes).map_err(|_| corrupted())?,
            drivers: DriverSample::default(),
        }
    } else {
        postcard::from_bytes(&bytes).map_err(|_| corrupted())?
    };
    if !body.stats.fits(&header.schema) || (o.format > 2 && !body.drivers.fits(&header.schema)) {
        return Err(corrupted());
    }
    if let Some(info) = rows
        && sha256_of(&mut o.r, info.bytes)
            .map_err(|e| PartError::Io(path.to_path_buf(), e))?
            .as_deref()
            != Some(&info.sha256)
    {
        return Err(corrupted());
    }
    Ok((header, body))
}

/// Reads and checks an explore part: its header and its columns, each of the shard's
/// trial count.
pub fn read_explore(path: &Path) -> Result<(ExploreHeader, MemberColumns), PartError> {
    let mut o = open(path)?;
    if o.kind != EXPLORE {
        return Err(PartError::NotAPart(
            path.to_path_buf(),
            "a part of `defsim run`, not of an experiment".into(),
        ));
    }
    let header: ExploreHeader = o.header()?;
    let bytes = body(
        path,
        &mut o,
        header.body_bytes,
        &header.body_sha256,
        (0, "columns"),
    )?;
    let corrupted = || PartError::Corrupted(path.to_path_buf());
    let columns: MemberColumns = postcard::from_bytes(&bytes).map_err(|_| corrupted())?;
    let n = columns
        .first()
        .and_then(|m| m.first())
        .map_or(0, |c| c.len());
    let shaped = columns.len() as u64 == header.members
        && columns
            .iter()
            .all(|m| m.len() == header.outcomes.len() && m.iter().all(|c| c.len() == n));
    if !shaped {
        return Err(corrupted());
    }
    Ok((header, columns))
}

/// The trial rows of the shard part at `path` (read and checked by [`read`] first).
pub fn rows(path: &Path) -> Result<RowsReader<BufReader<File>>, PartError> {
    let o = open(path)?;
    let header: PartHeader = o.header()?;
    let mut r = o.r;
    let info = header
        .rows
        .clone()
        .ok_or_else(|| PartError::NotAPart(path.to_path_buf(), "it holds no trial rows".into()))?;
    io::copy(&mut (&mut r).take(header.body_bytes), &mut io::sink())
        .map_err(|e| PartError::Io(path.to_path_buf(), e))?;
    let columns = header.schema.inputs.len() + header.schema.outcomes.len();
    Ok(RowsReader::new(r, &info, columns))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Model;

    /// A run part of `trials` trials (statistics and drivers' sample of its first trials).
    fn part(dir: &Path) -> (PathBuf, PartHeader, StreamStats, DriverSample) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
        let scenario = crate::model::load(&path, &[]).unwrap();
        let model = crate::model::ViabilityModel::new(&scenario);
        let schema = model.schema().clone();
        let meta = SummaryMeta::of(&scenario);
        let header = PartHeader {
            format: FORMAT,
            kind: "shard".into(),
            defsim_version: "test".into(),
            scenario: PartScenario {
                info: meta.scenario,
                start_year: meta.start_year,
                horizon_years: meta.horizon_years,
                parameters: meta.parameters,
                thresholds: Vec::new(),
                scenario_file: "baseline.toml".into(),
                overrides: Vec::new(),
            },
            schema: schema.clone(),
            seed: 1,
            trials: 10,
            design: "mc".into(),
            n: 1,
            k: 0,
            blocks: [0, 1],
            body_bytes: 0,
            body_sha256: String::new(),
            rows: None,
        };
        let mut stats = StreamStats::new(&schema);
        stats.trials = 10;
        let inputs = vec![vec![0.5; 10]; schema.inputs.len()];
        let outcomes = vec![vec![1.0; 10]; schema.outcomes.len()];
        let mut sample = DriverSample::new(&schema, 0);
        sample.keep(&schema, 10, 0, &inputs, &outcomes);
        assert_eq!(sample.len(), 10);
        let file = dir.join("part-0-of-1.defsim");
        write(&file, &header, &stats, &sample).unwrap();
        (file, header, stats, sample)
    }

    #[test]
    fn a_run_part_reads_back_with_its_drivers_sample() {
        let dir = tempfile::tempdir().unwrap();
        let (file, header, stats, sample) = part(dir.path());
        assert_eq!(kind(&file).unwrap(), "shard");
        let (h, body) = read(&file).unwrap();
        assert_eq!(h.format, 3);
        assert_eq!(h.seed, header.seed);
        assert_eq!(body.stats.trials, stats.trials);
        assert_eq!(body.drivers, sample);
        assert!(matches!(
            read_explore(&file),
            Err(PartError::NotAPart(_, why)) if why.contains("not of an experiment")
        ));
    }

    /// Format 2 (before explore parts and drivers' samples): the body is the statistics
    /// alone. Such a part still reads, with an empty sample (its merge has no drivers).
    #[test]
    fn a_format_2_run_part_still_reads_without_drivers() {
        let dir = tempfile::tempdir().unwrap();
        let (_, header, stats, _) = part(dir.path());
        let body = postcard::to_stdvec(&stats).unwrap();
        let mut h = header.clone();
        h.format = 2;
        h.body_bytes = body.len() as u64;
        h.body_sha256 = sha256(&body);
        let mut bytes = b"defsim-part 2\n".to_vec();
        bytes.extend(serde_json::to_string(&h).unwrap().as_bytes());
        bytes.push(b'\n');
        bytes.extend(&body);
        let old = dir.path().join("old.defsim");
        std::fs::write(&old, &bytes).unwrap();
        let (read_h, read_body) = read(&old).unwrap();
        assert_eq!(read_h.format, 2);
        assert_eq!(read_body.stats.trials, 10);
        assert!(read_body.drivers.is_empty());
        // Format 4 is not read, and says so.
        let newer = dir.path().join("newer.defsim");
        std::fs::write(&newer, b"defsim-part 4\n{}\n").unwrap();
        let e = read(&newer).unwrap_err().to_string();
        assert!(
            e.contains("format 4, this defsim reads formats 2 and 3"),
            "{e}"
        );
    }
}
