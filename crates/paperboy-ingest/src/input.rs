//! Opening input files: transparent gzip, a byte counter for progress, bounded reads;
//! finding the files under a directory.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;

/// The most a line of a JSON Lines file may hold.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// The most a whole-document input (JSON array, XML) may hold once decompressed.
pub const MAX_DOCUMENT_BYTES: u64 = 512 * 1024 * 1024;

/// How much of the (decompressed) start of a file format detection reads ahead; more
/// when the first line is longer (see [`peek_head`]).
pub const HEAD_BYTES: usize = 16 * 1024;

/// An opened input: a reader over the decompressed content, and how far into the
/// file (compressed bytes) reading has come.
pub struct Input {
    /// The decompressed content.
    pub reader: Box<dyn BufRead + Send>,
    /// Size of the file on disk.
    pub file_len: u64,
    /// Bytes of the file read so far.
    pub position: Arc<AtomicU64>,
    /// Whether the file is gzip-compressed.
    pub gzip: bool,
}

struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `path`, decompressing gzip (detected by its magic bytes, not the name).
pub fn open(path: &Path) -> io::Result<Input> {
    let file = File::open(path)?;
    let file_len = file.metadata()?.len();
    from_reader(file, file_len)
}

/// Reads bytes held in memory (the embedded sample), decompressing gzip.
pub fn from_bytes(bytes: &'static [u8]) -> io::Result<Input> {
    from_reader(bytes, bytes.len() as u64)
}

fn from_reader(source: impl Read + Send + 'static, len: u64) -> io::Result<Input> {
    let position = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: source,
        count: position.clone(),
    };
    let mut raw = BufReader::with_capacity(256 * 1024, counting);
    let gzip = raw.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn BufRead + Send> = if gzip {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(raw),
        ))
    } else {
        Box::new(raw)
    };
    Ok(Input {
        reader,
        file_len: len,
        position,
        gzip,
    })
}

/// Reads the start of `reader`: [`HEAD_BYTES`], or up to the end of the first line
/// when that is longer (at most [`MAX_LINE_BYTES`]), so that format detection always
/// sees a whole first record. Returns those bytes and a reader that yields the whole
/// content again from the start. A read error inside the head (a short, truncated
/// gzip file) is not returned here: the returned reader yields the bytes before it,
/// then the error, so the records before the damage still count.
pub fn peek_head(mut reader: Box<dyn BufRead + Send>) -> (Vec<u8>, Box<dyn BufRead + Send>) {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let read = (&mut reader)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .and_then(|_| {
            if head.len() < HEAD_BYTES || head.contains(&b'\n') {
                return Ok(());
            }
            let mut rest_of_line = Vec::new();
            let read = (&mut reader)
                .take((MAX_LINE_BYTES - HEAD_BYTES) as u64)
                .read_until(b'\n', &mut rest_of_line);
            head.append(&mut rest_of_line);
            read.map(drop)
        });
    let rest: Box<dyn Read + Send> = match read {
        Ok(()) => reader,
        Err(error) => Box::new(Failing(Some(error))),
    };
    let again = io::Cursor::new(head.clone()).chain(rest);
    (head, Box::new(BufReader::with_capacity(256 * 1024, again)))
}

/// An entry found under a directory by [`walk`].
#[derive(Debug)]
pub enum Found {
    /// A file to read.
    File(PathBuf),
    /// Something that is not a file (a socket, a pipe), which holds no data to import.
    NotAFile(PathBuf),
    /// An entry that cannot be read (a broken link, a directory that cannot be
    /// listed), and why.
    Unreadable(PathBuf, io::Error),
}

/// Every entry under `dir`, recursively, in name order; links are followed, each
/// directory is read once.
pub fn walk(dir: &Path) -> Vec<Found> {
    let mut found = Vec::new();
    let mut visited = HashSet::new();
    walk_into(dir, &mut visited, &mut found);
    found
}

fn walk_into(dir: &Path, visited: &mut HashSet<PathBuf>, found: &mut Vec<Found>) {
    let real = match std::fs::canonicalize(dir) {
        Ok(real) => real,
        Err(e) => {
            found.push(Found::Unreadable(dir.to_owned(), e));
            return;
        }
    };
    if !visited.insert(real) {
        return; // a link back to a directory read already
    }
    let mut paths = match std::fs::read_dir(dir).and_then(|entries| {
        entries
            .map(|entry| entry.map(|e| e.path()))
            .collect::<io::Result<Vec<PathBuf>>>()
    }) {
        Ok(paths) => paths,
        Err(e) => {
            found.push(Found::Unreadable(dir.to_owned(), e));
            return;
        }
    };
    paths.sort();
    for path in paths {
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk_into(&path, visited, found),
            Ok(meta) if meta.is_file() => found.push(Found::File(path)),
            Ok(_) => found.push(Found::NotAFile(path)),
            Err(e) => found.push(Found::Unreadable(path, e)),
        }
    }
}

/// A reader that fails once with a stored error, then reports end of input.
struct Failing(Option<io::Error>);

impl Read for Failing {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(error) => Err(error),
            None => Ok(0),
        }
    }
}

/// The outcome of reading one line with [`read_line`].
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line (without its terminator) is in the buffer.
    Ok,
    /// The line was longer than the limit; it was consumed and dropped.
    TooLong(usize),
    /// End of input.
    Eof,
}

/// Reads one `\n`-terminated line into `buf` (cleared first), never holding more than
/// `max` bytes: a longer line is skipped to its end and reported.
pub fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    buf.clear();
    let mut too_long = 0usize;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (too_long, buf.is_empty()) {
                (0, true) => Line::Eof,
                (0, false) => Line::Ok,
                (n, _) => Line::TooLong(n),
            });
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if too_long == 0 && buf.len() + chunk.len() <= max {
            buf.extend_from_slice(chunk);
        } else {
            too_long = too_long.max(buf.len()) + chunk.len();
            buf.clear();
        }
        let consumed = done.unwrap_or(available.len());
        reader.consume(consumed);
        if done.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(if too_long > 0 {
                Line::TooLong(too_long)
            } else {
                Line::Ok
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_lines_and_skips_overlong_ones() {
        let data = b"short\r\nxxxxxxxxxxxxxxxxxxxx\nlast";
        let mut reader: &[u8] = data;
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut reader, &mut buf, 10).unwrap(), Line::Ok);
        assert_eq!(buf, b"short");
        assert_eq!(
            read_line(&mut reader, &mut buf, 10).unwrap(),
            Line::TooLong(20)
        );
        assert_eq!(read_line(&mut reader, &mut buf, 10).unwrap(), Line::Ok);
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut reader, &mut buf, 10).unwrap(), Line::Eof);
    }

    #[test]
    fn gzip_is_detected_by_content_and_truncation_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain-name.jsonl");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..2000 {
            writeln!(gz, "{{\"line\": {i}, \"pad\": \"{}\"}}", "x".repeat(i % 50)).unwrap();
        }
        let bytes = gz.finish().unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let mut input = open(&path).unwrap();
        assert!(input.gzip);
        let mut text = String::new();
        input.reader.read_to_string(&mut text).unwrap();
        assert_eq!(text.lines().count(), 2000);

        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let mut input = open(&path).unwrap();
        let mut sink = Vec::new();
        let err = input.reader.read_to_end(&mut sink).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn peek_head_gives_everything_back() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let reader: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(data.clone()));
        let (head, mut again) = peek_head(reader);
        assert_eq!(&head[..], &data[..head.len()]);
        let mut all = Vec::new();
        again.read_to_end(&mut all).unwrap();
        assert_eq!(all, data);
    }

    #[test]
    fn peek_head_holds_the_whole_first_line() {
        let first = format!("{{\"pad\": \"{}\"}}\n", "x".repeat(3 * HEAD_BYTES));
        let data = format!("{first}{{\"second\": 2}}\n");
        let reader: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(data.clone()));
        let (head, mut again) = peek_head(reader);
        assert_eq!(head, first.as_bytes());
        let mut all = String::new();
        again.read_to_string(&mut all).unwrap();
        assert_eq!(all, data);

        let short = "{\"a\": 1}\n".repeat(HEAD_BYTES);
        let reader: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(short.clone()));
        assert_eq!(
            peek_head(reader).0.len(),
            HEAD_BYTES,
            "no more than the look-ahead"
        );
    }
}
