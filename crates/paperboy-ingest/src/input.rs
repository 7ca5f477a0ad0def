//! Opening input files: transparent gzip, a byte counter for progress, bounded reads.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::read::MultiGzDecoder;

/// The most a line of a JSON Lines file may hold.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// The most a whole-document input (JSON array, XML) may hold once decompressed.
pub const MAX_DOCUMENT_BYTES: u64 = 512 * 1024 * 1024;

/// How much of the (decompressed) start of a file format detection looks at.
pub const HEAD_BYTES: usize = 1024 * 1024;

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

/// Reads up to [`HEAD_BYTES`] from the start of `reader`, returning them and a reader
/// that yields the whole content again from the start. A read error inside the head
/// (a short, truncated gzip file) is not returned here: the returned reader yields
/// the bytes before it, then the error, so the records before the damage still count.
pub fn peek_head(mut reader: Box<dyn BufRead + Send>) -> (Vec<u8>, Box<dyn BufRead + Send>) {
    let mut head = Vec::with_capacity(64 * 1024);
    let rest: Box<dyn Read + Send> =
        match (&mut reader).take(HEAD_BYTES as u64).read_to_end(&mut head) {
            Ok(_) => reader,
            Err(error) => Box::new(Failing(Some(error))),
        };
    let again = io::Cursor::new(head.clone()).chain(rest);
    (head, Box::new(BufReader::with_capacity(256 * 1024, again)))
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
        assert_eq!(head.len(), HEAD_BYTES);
        let mut all = Vec::new();
        again.read_to_end(&mut all).unwrap();
        assert_eq!(all, data);
    }
}
