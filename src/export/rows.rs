//! Trial rows kept for later: the rows (`trials.csv` / `trials.parquet`) of a shard, carried
//! in its part, and of a checkpointed run, kept beside its checkpoint, until the whole run's
//! tables are written from them (by `defsim merge`, or when the run finishes).
//!
//! Encoding: a sequence of chunks in trial order, without gaps; each chunk is, little-endian,
//! a `u64` first trial, a `u32` number of trials `len` (> 0), then every column (the inputs,
//! then the outcomes, in the schema's order) as `len` `f64` values (NaN: an absent outcome).
//! The values are the simulated ones bit for bit, so a table written from them is the one
//! the run would have written directly.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Which rows a part or checkpoint holds, and which tables the run asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowsInfo {
    /// The trials `[first, end)` whose rows are held.
    pub first: u64,
    pub end: u64,
    /// Length and SHA-256 (hex) of the encoded rows.
    pub bytes: u64,
    pub sha256: String,
    /// The run writes `trials.csv`.
    pub csv: bool,
    /// The run writes `trials.parquet`.
    pub parquet: bool,
}

/// Values converted to bytes at a time.
const PIECE: usize = 8192;

/// Appends encoded rows to a file, keeping the length and SHA-256 of what it wrote.
pub struct RowsWriter {
    file: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
    first: u64,
    next: u64,
    columns: usize,
}

impl RowsWriter {
    /// Rows of `columns` columns from trial `first`, into the empty `file`.
    pub fn new(file: File, first: u64, columns: usize) -> RowsWriter {
        RowsWriter {
            file: BufWriter::new(file),
            hasher: Sha256::new(),
            bytes: 0,
            first,
            next: first,
            columns,
        }
    }

    /// Continues the rows of `file` that `info` describes: its first `info.bytes` bytes must
    /// have `info.sha256` (else `InvalidData`); anything after them (rows written after the
    /// last checkpoint) is cut off.
    pub fn resume(mut file: File, info: &RowsInfo, columns: usize) -> io::Result<RowsWriter> {
        let len = file.metadata()?.len();
        if len < info.bytes {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{len} bytes of trial rows, {} expected", info.bytes),
            ));
        }
        file.seek(SeekFrom::Start(0))?;
        let mut hasher = Sha256::new();
        io::copy(
            &mut (&mut file).take(info.bytes),
            &mut HashWriter(&mut hasher),
        )?;
        if hex(hasher.clone().finalize().as_slice()) != info.sha256 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the trial rows do not match their checksum",
            ));
        }
        file.set_len(info.bytes)?;
        file.seek(SeekFrom::Start(info.bytes))?;
        Ok(RowsWriter {
            file: BufWriter::new(file),
            hasher,
            bytes: info.bytes,
            first: info.first,
            next: info.end,
            columns,
        })
    }

    /// Appends the trials `first ..` (every column the same length).
    pub fn append(&mut self, first: u64, columns: &[&[f64]]) -> io::Result<()> {
        let len = columns.first().map_or(0, |c| c.len());
        if first != self.next || columns.len() != self.columns || len > u32::MAX as usize {
            return Err(io::Error::other(format!(
                "trial rows at trial {first} do not follow trial {} or have the wrong columns",
                self.next
            )));
        }
        if len == 0 {
            return Ok(());
        }
        let mut head = [0u8; 12];
        head[..8].copy_from_slice(&first.to_le_bytes());
        head[8..].copy_from_slice(&(len as u32).to_le_bytes());
        self.put(&head)?;
        let mut buf = Vec::with_capacity(PIECE * 8);
        for column in columns {
            for piece in column.chunks(PIECE) {
                buf.clear();
                for v in piece {
                    buf.extend_from_slice(&v.to_le_bytes());
                }
                self.put(&buf)?;
            }
        }
        self.next = first + len as u64;
        Ok(())
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        self.file.write_all(bytes)
    }

    /// Flushes the rows to disk and describes them (with the tables asked for).
    pub fn sync(&mut self, csv: bool, parquet: bool) -> io::Result<RowsInfo> {
        self.file.flush()?;
        self.file.get_ref().sync_data()?;
        Ok(RowsInfo {
            first: self.first,
            end: self.next,
            bytes: self.bytes,
            sha256: hex(self.hasher.clone().finalize().as_slice()),
            csv,
            parquet,
        })
    }
}

/// Feeds what is written to a hasher.
struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// SHA-256 of the next `bytes` bytes of `r`, in hex (`None` if `r` ends first).
pub fn sha256_of(r: &mut impl Read, bytes: u64) -> io::Result<Option<String>> {
    let mut hasher = Sha256::new();
    let copied = io::copy(&mut r.take(bytes), &mut HashWriter(&mut hasher))?;
    Ok((copied == bytes).then(|| hex(hasher.finalize().as_slice())))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads encoded rows back, chunk by chunk, checking that they are the trials
/// `[info.first, info.end)` in order.
pub struct RowsReader<R: Read> {
    r: io::Take<R>,
    next: u64,
    end: u64,
    columns: usize,
}

impl<R: Read> RowsReader<R> {
    /// The rows `info` describes, `columns` columns wide, read from `r` (positioned at them).
    pub fn new(r: R, info: &RowsInfo, columns: usize) -> RowsReader<R> {
        RowsReader {
            r: r.take(info.bytes),
            next: info.first,
            end: info.end,
            columns,
        }
    }

    /// The next chunk: its first trial and its columns; `None` after the last trial.
    pub fn next_chunk(&mut self) -> io::Result<Option<(u64, Vec<Vec<f64>>)>> {
        let bad = |why: String| io::Error::new(io::ErrorKind::InvalidData, why);
        if self.next == self.end {
            return if self.r.limit() == 0 {
                Ok(None)
            } else {
                Err(bad("trial rows after the last trial".into()))
            };
        }
        let mut head = [0u8; 12];
        self.r
            .read_exact(&mut head)
            .map_err(|_| bad(format!("the trial rows end before trial {}", self.next)))?;
        let first = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
        let len = u64::from(u32::from_le_bytes(head[8..].try_into().expect("4 bytes")));
        if first != self.next || len == 0 || first + len > self.end {
            return Err(bad(format!(
                "trial rows out of order: trials {first}.. where {} was next",
                self.next
            )));
        }
        if len * 8 * self.columns as u64 > self.r.limit() {
            return Err(bad(format!("the trial rows end before trial {first}")));
        }
        let mut columns = Vec::with_capacity(self.columns);
        let mut buf = vec![0u8; len as usize * 8];
        for _ in 0..self.columns {
            self.r.read_exact(&mut buf)?;
            columns.push(
                buf.chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect(),
            );
        }
        self.next = first + len;
        Ok(Some((first, columns)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_bit_for_bit_and_resume_cuts_what_followed_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows");
        let mut w = RowsWriter::new(File::create(&path).unwrap(), 10, 2);
        w.append(10, &[&[1.0, f64::NAN], &[-0.0, 3.5]]).unwrap();
        assert!(w.append(13, &[&[1.0], &[2.0]]).is_err(), "a gap");
        let info = w.sync(true, false).unwrap();
        w.append(12, &[&[7.0], &[8.0]]).unwrap();
        w.sync(true, false).unwrap();
        drop(w);
        // Resume from the first sync: the chunk written after it is cut off.
        let f = File::options().read(true).write(true).open(&path).unwrap();
        let mut w = RowsWriter::resume(f, &info, 2).unwrap();
        w.append(12, &[&[5.0, 6.0], &[f64::INFINITY, 1e-300]])
            .unwrap();
        let info = w.sync(false, true).unwrap();
        assert_eq!((info.first, info.end), (10, 14));
        assert_eq!(info.bytes, std::fs::metadata(&path).unwrap().len());
        let mut r = RowsReader::new(File::open(&path).unwrap(), &info, 2);
        let (first, a) = r.next_chunk().unwrap().unwrap();
        assert_eq!(first, 10);
        assert!(a[0][1].is_nan() && a[1][0].to_bits() == (-0.0f64).to_bits());
        let (first, b) = r.next_chunk().unwrap().unwrap();
        assert_eq!((first, b[1][1]), (12, 1e-300));
        assert!(r.next_chunk().unwrap().is_none());
        let mut f = File::open(&path).unwrap();
        assert_eq!(
            sha256_of(&mut f, info.bytes).unwrap().as_deref(),
            Some(info.sha256.as_str())
        );
        // A wrong checksum is refused.
        let bad = RowsInfo {
            sha256: "00".into(),
            ..info
        };
        let f = File::options().read(true).write(true).open(&path).unwrap();
        assert!(RowsWriter::resume(f, &bad, 2).is_err());
    }
}
