//! `trials.parquet`: the columns of `trials.csv` (trial, inputs, outcomes) in Apache Parquet,
//! for pandas, polars, R (arrow) and DuckDB.
//!
//! Column types: `trial` is a required INT64; every uncertain input a required DOUBLE; every
//! outcome an optional DOUBLE, null where the outcome is absent (the empty cell of
//! `trials.csv`, NaN inside defsim). Pages are Snappy-compressed (pure Rust, no system
//! library). Rows are written in trial order, in row groups of at most [`ROW_GROUP`] trials;
//! the file's key-value metadata records the defsim version and the run's seed.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, Repetition, Type as PhysicalType};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{DoubleType, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::engine::{Results, Schema};

/// Trials per row group.
pub const ROW_GROUP: usize = 1 << 17;

/// A `trials.parquet` being written. Rows come in trial order in blocks of any size; they
/// are cut into row groups of [`ROW_GROUP`] trials counted from trial 0 (the last one
/// shorter), so the file's bytes do not depend on how the rows were handed over (a whole
/// run, waves of a streaming run, the parts of a sharded run).
pub struct TrialsWriter {
    writer: SerializedFileWriter<BufWriter<File>>,
    n_inputs: usize,
    n_outcomes: usize,
    next_trial: u64,
    /// First trial of the row group being filled, and its columns so far.
    group_first: u64,
    group_inputs: Vec<Vec<f64>>,
    group_outcomes: Vec<Vec<f64>>,
}

impl TrialsWriter {
    /// Creates `path` with the columns of `schema` (trial, inputs, outcomes).
    pub fn create(path: &Path, schema: &Schema, seed: u64) -> Result<TrialsWriter, ParquetError> {
        let column = |name: &str, physical, repetition| {
            Type::primitive_type_builder(name, physical)
                .with_repetition(repetition)
                .build()
                .map(Arc::new)
        };
        let mut fields = vec![column("trial", PhysicalType::INT64, Repetition::REQUIRED)?];
        for name in &schema.inputs {
            fields.push(column(name, PhysicalType::DOUBLE, Repetition::REQUIRED)?);
        }
        for outcome in &schema.outcomes {
            fields.push(column(
                &outcome.name,
                PhysicalType::DOUBLE,
                Repetition::OPTIONAL,
            )?);
        }
        let message = Type::group_type_builder("trials")
            .with_fields(fields)
            .build()?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("defsim {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(vec![
                KeyValue::new(
                    "defsim.version".to_string(),
                    env!("CARGO_PKG_VERSION").to_string(),
                ),
                KeyValue::new("defsim.seed".to_string(), seed.to_string()),
            ]))
            .build();
        let file = BufWriter::new(File::create(path)?);
        Ok(TrialsWriter {
            writer: SerializedFileWriter::new(file, Arc::new(message), Arc::new(props))?,
            n_inputs: schema.inputs.len(),
            n_outcomes: schema.outcomes.len(),
            next_trial: 0,
            group_first: 0,
            group_inputs: vec![Vec::new(); schema.inputs.len()],
            group_outcomes: vec![Vec::new(); schema.outcomes.len()],
        })
    }

    /// Appends the trials `first ..`: `inputs[j]` and `outcomes[o]` hold the block's values
    /// of input `j` and outcome `o` (NaN = absent outcome). Blocks must come in trial order,
    /// without gaps; a row group is written whenever [`ROW_GROUP`] trials are buffered.
    pub fn write(
        &mut self,
        first: u64,
        inputs: &[&[f64]],
        outcomes: &[&[f64]],
    ) -> Result<(), ParquetError> {
        if first != self.next_trial
            || inputs.len() != self.n_inputs
            || outcomes.len() != self.n_outcomes
        {
            return Err(ParquetError::General(format!(
                "trials.parquet: block at trial {first} does not follow trial {} or has the \
                 wrong columns",
                self.next_trial
            )));
        }
        let len = outcomes.first().or(inputs.first()).map_or(0, |c| c.len());
        let mut at = 0;
        while at < len {
            let buffered = (self.next_trial - self.group_first) as usize;
            let take = (ROW_GROUP - buffered).min(len - at);
            for (buf, col) in self.group_inputs.iter_mut().zip(inputs) {
                buf.extend_from_slice(&col[at..at + take]);
            }
            for (buf, col) in self.group_outcomes.iter_mut().zip(outcomes) {
                buf.extend_from_slice(&col[at..at + take]);
            }
            at += take;
            self.next_trial += take as u64;
            if (self.next_trial - self.group_first) as usize == ROW_GROUP {
                self.flush_group()?;
            }
        }
        Ok(())
    }

    /// Writes the buffered trials as one row group.
    fn flush_group(&mut self) -> Result<(), ParquetError> {
        let first = self.group_first;
        let len = (self.next_trial - first) as usize;
        if len == 0 {
            return Ok(());
        }
        let trials: Vec<i64> = (first..first + len as u64).map(|t| t as i64).collect();
        let mut group = self.writer.next_row_group()?;
        let mut index = 0;
        let mut present = Vec::with_capacity(len);
        let mut levels = Vec::with_capacity(len);
        while let Some(mut col) = group.next_column()? {
            if index == 0 {
                col.typed::<Int64Type>().write_batch(&trials, None, None)?;
            } else if index <= self.n_inputs {
                col.typed::<DoubleType>()
                    .write_batch(&self.group_inputs[index - 1], None, None)?;
            } else {
                present.clear();
                levels.clear();
                for &v in &self.group_outcomes[index - 1 - self.n_inputs] {
                    levels.push(i16::from(!v.is_nan()));
                    if !v.is_nan() {
                        present.push(v);
                    }
                }
                col.typed::<DoubleType>()
                    .write_batch(&present, Some(&levels), None)?;
            }
            col.close()?;
            index += 1;
        }
        group.close()?;
        for c in self.group_inputs.iter_mut().chain(&mut self.group_outcomes) {
            c.clear();
        }
        self.group_first = self.next_trial;
        Ok(())
    }

    /// Writes the footer and closes the file.
    pub fn finish(mut self) -> Result<(), ParquetError> {
        self.flush_group()?;
        self.writer.close()?;
        Ok(())
    }
}

/// Writes every trial of `results` (which must have kept its inputs) to `path`.
pub fn write_trials(path: &Path, results: &Results) -> Result<(), ParquetError> {
    let mut w = TrialsWriter::create(path, &results.schema, results.seed)?;
    debug_assert!(
        results.inputs.is_none() || results.all_inputs().is_some(),
        "a trials file holds every trial's inputs or none"
    );
    let inputs = results.all_inputs().unwrap_or(&[]);
    let n = results.trials as usize;
    for first in (0..n).step_by(ROW_GROUP) {
        let rows = first..(first + ROW_GROUP).min(n);
        let ins: Vec<&[f64]> = inputs.iter().map(|c| &c[rows.clone()]).collect();
        let outs: Vec<&[f64]> = results.outcomes.iter().map(|c| &c[rows.clone()]).collect();
        w.write(first as u64, &ins, &outs)?;
    }
    w.finish()
}

/// A table read from a Parquet file: its column names and every DOUBLE or INT64 column as
/// `f64` (null = NaN), in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names.
    pub names: Vec<String>,
    /// `columns[c][row]`.
    pub columns: Vec<Vec<f64>>,
}

impl Table {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let i = self.names.iter().position(|n| n == name)?;
        Some(&self.columns[i])
    }
}

/// Reads the columns called `wanted` of a flat Parquet file (DOUBLE, FLOAT, INT32 or INT64
/// columns; nulls become NaN). A wanted name that the file lacks is an error naming it.
pub fn read_columns(path: &Path, wanted: &[&str]) -> Result<Table, ParquetError> {
    let reader = SerializedFileReader::new(File::open(path)?)?;
    let descr = reader.metadata().file_metadata().schema_descr_ptr();
    let mut index = Vec::with_capacity(wanted.len());
    for name in wanted {
        let i = (0..descr.num_columns())
            .find(|&i| descr.column(i).path().parts() == [name.to_string()])
            .ok_or_else(|| ParquetError::General(format!("no column `{name}`")))?;
        index.push(i);
    }
    let mut columns = vec![Vec::new(); wanted.len()];
    let mut expected = 0;
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g)?;
        let rows = usize::try_from(group.metadata().num_rows())
            .map_err(|_| ParquetError::General("negative row count".into()))?;
        expected += rows;
        for (out, &i) in columns.iter_mut().zip(&index) {
            let optional = descr.column(i).max_def_level() > 0;
            let mut levels = Vec::new();
            let values = match group.get_column_reader(i)? {
                ColumnReader::DoubleColumnReader(mut r) => {
                    let mut v: Vec<f64> = Vec::new();
                    r.read_records(rows, optional.then_some(&mut levels), None, &mut v)?;
                    v
                }
                ColumnReader::FloatColumnReader(mut r) => {
                    let mut v: Vec<f32> = Vec::new();
                    r.read_records(rows, optional.then_some(&mut levels), None, &mut v)?;
                    v.into_iter().map(f64::from).collect()
                }
                ColumnReader::Int64ColumnReader(mut r) => {
                    let mut v: Vec<i64> = Vec::new();
                    r.read_records(rows, optional.then_some(&mut levels), None, &mut v)?;
                    v.into_iter().map(|x| x as f64).collect()
                }
                ColumnReader::Int32ColumnReader(mut r) => {
                    let mut v: Vec<i32> = Vec::new();
                    r.read_records(rows, optional.then_some(&mut levels), None, &mut v)?;
                    v.into_iter().map(f64::from).collect()
                }
                _ => {
                    return Err(ParquetError::General(format!(
                        "column `{}` is not numeric",
                        descr.column(i).name()
                    )));
                }
            };
            if optional {
                let mut present = values.into_iter();
                for &l in &levels {
                    out.push(if l > 0 {
                        present.next().unwrap_or(f64::NAN)
                    } else {
                        f64::NAN
                    });
                }
            } else {
                out.extend(values);
            }
            if out.len() != expected {
                return Err(ParquetError::General(format!(
                    "column `{}` is shorter than its row group",
                    descr.column(i).name()
                )));
            }
        }
    }
    Ok(Table {
        names: wanted.iter().map(|s| s.to_string()).collect(),
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Outcome, OutcomeKind};

    fn schema() -> Schema {
        Schema {
            inputs: vec!["macro.trend_growth".into()],
            outcomes: vec![
                Outcome::named("independence", OutcomeKind::Continuous),
                Outcome::named(
                    "breakeven_year",
                    OutcomeKind::Optional {
                        presence: "breakeven_within_horizon".into(),
                        presence_title: "break-even".into(),
                        absent_when: "the program never breaks even".into(),
                    },
                ),
            ],
            series: Vec::new(),
            years: Vec::new(),
            streams: Vec::new(),
        }
    }

    #[test]
    fn blocks_read_back_with_nulls_as_nan() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut w = TrialsWriter::create(&path, &schema(), 7).unwrap();
        w.write(0, &[&[0.1, 0.2]], &[&[0.5, 0.6], &[2030.0, f64::NAN]])
            .unwrap();
        w.write(2, &[&[0.3]], &[&[0.7], &[f64::NAN]]).unwrap();
        assert!(w.write(5, &[&[0.3]], &[&[0.7], &[1.0]]).is_err(), "a gap");
        w.finish().unwrap();
        let t = read_columns(
            &path,
            &[
                "trial",
                "macro.trend_growth",
                "independence",
                "breakeven_year",
            ],
        )
        .unwrap();
        assert_eq!(t.column("trial").unwrap(), &[0.0, 1.0, 2.0]);
        assert_eq!(t.column("macro.trend_growth").unwrap(), &[0.1, 0.2, 0.3]);
        assert_eq!(t.column("independence").unwrap(), &[0.5, 0.6, 0.7]);
        let b = t.column("breakeven_year").unwrap();
        assert_eq!(b[0], 2030.0);
        assert!(b[1].is_nan() && b[2].is_nan());
        let err = read_columns(&path, &["nope"]).unwrap_err();
        assert!(err.to_string().contains("no column `nope`"), "{err}");
    }
}
