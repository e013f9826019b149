//! CSV records straight from `csv_core`, with 1-based line numbers.
//!
//! A `csv::Reader` builds its parsing automaton anew for every file, which costs more than
//! parsing a small FOV file; sets of hundreds of thousands of FOVs are read here with one
//! `csv_core::Reader` per thread, reset between files. (Cloning a built reader is no way
//! around it: csv-core 0.1's `Clone` for its automaton copies only the transition table.)
//! Input is expected with LF line ends (see `clean_text`).

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};
use std::cell::RefCell;

thread_local! {
    static READER: RefCell<Reader> = RefCell::new(ReaderBuilder::new().build());
}

/// The fields of one record.
pub struct Fields<'a> {
    text: &'a str,
    ends: &'a [usize],
}

impl<'a> Fields<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn get(&self, index: usize) -> Option<&'a str> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        self.text.get(start..end)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Why records could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// The record at this line is not UTF-8.
    NotUtf8 { line: u64 },
}

/// Calls `visit` with each record and the line it starts on (blank lines skipped), until
/// `visit` returns an error or the input ends.
pub fn for_each_record<E>(
    input: &[u8],
    visit: impl FnMut(u64, &Fields<'_>) -> Result<(), E>,
) -> Result<Result<(), E>, RecordError> {
    READER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut core) => {
            core.reset();
            records_with(&mut core, input, visit)
        }
        // Re-entered on this thread (a visitor reading another file): a reader of its own.
        Err(_) => records_with(&mut ReaderBuilder::new().build(), input, visit),
    })
}

fn records_with<E>(
    core: &mut Reader,
    input: &[u8],
    mut visit: impl FnMut(u64, &Fields<'_>) -> Result<(), E>,
) -> Result<Result<(), E>, RecordError> {
    let mut output = vec![0u8; 4096];
    let mut ends = vec![0usize; 64];
    let mut pos = 0;
    let mut lines_before: u64 = 0;
    loop {
        while pos < input.len() && input[pos] == b'\n' {
            pos += 1;
            lines_before += 1;
        }
        if pos >= input.len() {
            return Ok(Ok(()));
        }
        let start = pos;
        let line = lines_before + 1;
        let (mut out_len, mut end_len) = (0, 0);
        let mut at_end = false;
        loop {
            let slice = if at_end {
                &input[input.len()..]
            } else {
                &input[pos..]
            };
            let (result, nin, nout, nend) =
                core.read_record(slice, &mut output[out_len..], &mut ends[end_len..]);
            pos += nin;
            out_len += nout;
            end_len += nend;
            match result {
                ReadRecordResult::InputEmpty => {
                    if at_end {
                        break;
                    }
                    at_end = pos >= input.len();
                }
                ReadRecordResult::OutputFull => output.resize(output.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        lines_before += input[start..pos].iter().filter(|&&b| b == b'\n').count() as u64;
        if end_len == 0 {
            continue;
        }
        let text =
            std::str::from_utf8(&output[..out_len]).map_err(|_| RecordError::NotUtf8 { line })?;
        if let Err(e) = visit(
            line,
            &Fields {
                text,
                ends: &ends[..end_len],
            },
        ) {
            return Ok(Err(e));
        }
        if at_end && pos >= input.len() {
            return Ok(Ok(()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        for_each_record::<()>(input.as_bytes(), |line, fields| {
            out.push((line, fields.iter().map(String::from).collect()));
            Ok(())
        })
        .unwrap()
        .unwrap();
        out
    }

    #[test]
    fn quoted_fields_blank_lines_and_line_numbers() {
        let text = "a,b,c\n1,\"2,3\",4\n\n\"x\ny\",\"he said \"\"hi\"\"\",\n5,6,7";
        assert_eq!(
            records(text),
            vec![
                (1, vec!["a".into(), "b".into(), "c".into()]),
                (2, vec!["1".into(), "2,3".into(), "4".into()]),
                (4, vec!["x\ny".into(), "he said \"hi\"".into(), "".into()]),
                (6, vec!["5".into(), "6".into(), "7".into()]),
            ]
        );
    }

    #[test]
    fn long_records_grow_the_buffers() {
        let long = "9".repeat(10_000);
        let many = vec!["1"; 200].join(",");
        let text = format!("{long},x\n{many}\n");
        let got = records(&text);
        assert_eq!(got[0].1[0].len(), 10_000);
        assert_eq!(got[1].1.len(), 200);
        assert_eq!(got[1].0, 2);
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let result = for_each_record::<()>(b"a\nb\n\xff\n", |_, _| Ok(()));
        assert_eq!(result, Err(RecordError::NotUtf8 { line: 3 }));
    }
}
