//! Automerge's binary chunk framing, read without handing anything to Automerge: splitting
//! stored or received bytes into frames, and bounding how large their compressed parts inflate.
//!
//! A frame is `magic (4) ‖ checksum (4) ‖ type (1) ‖ LEB128 length ‖ data`. Compressed changes
//! (type 2) are one raw deflate stream; documents (type 0) may deflate individual columns.
//! Automerge inflates both without a bound, so a few megabytes from a peer could become
//! gigabytes; [`check_inflated_size`] inflates them first, in bounded pieces, and stops at the
//! limit.

use std::io::Read;

use flate2::bufread::DeflateDecoder;

/// A whole document.
pub(crate) const DOCUMENT_CHUNK: u8 = 0;
/// One change.
pub(crate) const CHANGE_CHUNK: u8 = 1;
/// One deflated change.
pub(crate) const COMPRESSED_CHANGE_CHUNK: u8 = 2;
const MAGIC_BYTES: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The deflate bit of a column specification.
const DEFLATE_COLUMN: u32 = 0b1000;
const HASH_LEN: usize = 32;

/// One complete frame.
pub(crate) struct Frame<'a> {
    /// The chunk type byte.
    pub(crate) chunk_type: u8,
    /// The whole frame, header included.
    pub(crate) bytes: &'a [u8],
    /// Where the data starts within `bytes`.
    data_start: usize,
}

impl<'a> Frame<'a> {
    fn data(&self) -> &'a [u8] {
        self.bytes.get(self.data_start..).unwrap_or_default()
    }
}

/// The complete frames of some bytes, and whether a frame was cut short at the end.
pub(crate) struct Frames<'a> {
    pub(crate) complete: Vec<Frame<'a>>,
    pub(crate) truncated: bool,
}

/// Splits bytes into frames without decompressing anything. A frame cut short at the end is
/// reported, not an error; bytes that do not start with the magic number are an error.
pub(crate) fn split_frames(bytes: &[u8]) -> Result<Frames<'_>, &'static str> {
    let mut complete = Vec::new();
    let mut position = 0;
    let truncated = |complete| {
        Ok(Frames {
            complete,
            truncated: true,
        })
    };
    while position < bytes.len() {
        let rest = bytes.get(position..).unwrap_or_default();
        let magic_len = rest.len().min(MAGIC_BYTES.len());
        if rest.get(..magic_len) != MAGIC_BYTES.get(..magic_len) {
            return Err("not automerge data (bad magic bytes)");
        }
        let Some(&chunk_type) = rest.get(8) else {
            return truncated(complete);
        };
        let Some((data_len, len_bytes)) = read_leb128(rest.get(9..).unwrap_or_default())? else {
            return truncated(complete);
        };
        let data_start = 9 + len_bytes;
        let frame_len = usize::try_from(data_len)
            .ok()
            .and_then(|data_len| data_len.checked_add(data_start));
        let Some(frame) = frame_len.and_then(|frame_len| rest.get(..frame_len)) else {
            return truncated(complete);
        };
        complete.push(Frame {
            chunk_type,
            bytes: frame,
            data_start,
        });
        position += frame.len();
    }
    Ok(Frames {
        complete,
        truncated: false,
    })
}

/// How many bytes the frame amounts to once its compressed parts are inflated; an error as soon
/// as that exceeds `budget`, before inflating any further.
pub(crate) fn check_inflated_size(frame: &Frame<'_>, budget: usize) -> Result<usize, &'static str> {
    let size = match frame.chunk_type {
        COMPRESSED_CHANGE_CHUNK => inflate_bounded(frame.data(), budget)?,
        DOCUMENT_CHUNK => document_inflated_size(frame.data(), budget)?,
        _ => frame.bytes.len(),
    };
    if size > budget {
        return Err("the data inflates beyond the size limit");
    }
    Ok(size)
}

/// Walks a document chunk's column metadata and inflates each deflated column within the
/// budget; plain columns and the rest count at their stored size.
fn document_inflated_size(data: &[u8], budget: usize) -> Result<usize, &'static str> {
    let mut reader = Reader { data, position: 0 };
    let n_actors = reader.leb128()?;
    for _ in 0..n_actors {
        let len = reader.leb128()?;
        reader.skip(len)?;
    }
    let n_heads = reader.leb128()?;
    for _ in 0..n_heads {
        reader.skip(HASH_LEN as u64)?;
    }
    let mut columns = Vec::new();
    for _ in 0..2 {
        let n_columns = reader.leb128()?;
        for _ in 0..n_columns {
            let spec = reader.leb128()?;
            let len = reader.leb128()?;
            columns.push((spec, len));
        }
    }
    let mut total = reader.position;
    for (spec, len) in columns {
        let column = reader.take(len)?;
        let deflated = u32::try_from(spec).is_ok_and(|spec| spec & DEFLATE_COLUMN != 0);
        let size = if deflated {
            inflate_bounded(column, budget.saturating_sub(total))?
        } else {
            column.len()
        };
        total = total.saturating_add(size);
        if total > budget {
            return Err("the data inflates beyond the size limit");
        }
    }
    Ok(total.saturating_add(data.len().saturating_sub(reader.position)))
}

/// Inflates a raw deflate stream, stopping with an error once more than `budget` bytes came out.
/// Only a fixed-size buffer is held: the inflated bytes are counted and dropped.
fn inflate_bounded(compressed: &[u8], budget: usize) -> Result<usize, &'static str> {
    let mut decoder = DeflateDecoder::new(compressed);
    let mut buffer = [0u8; 16 * 1024];
    let mut total: usize = 0;
    loop {
        let read = decoder
            .read(&mut buffer)
            .map_err(|_| "a compressed part is not valid deflate data")?;
        if read == 0 {
            return Ok(total);
        }
        total = total.saturating_add(read);
        if total > budget {
            return Err("the data inflates beyond the size limit");
        }
    }
}

struct Reader<'a> {
    data: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    fn leb128(&mut self) -> Result<u64, &'static str> {
        let rest = self.data.get(self.position..).unwrap_or_default();
        let (value, len) = read_leb128(rest)?.ok_or("a document chunk is cut short")?;
        self.position += len;
        Ok(value)
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], &'static str> {
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| self.position.checked_add(len))
            .ok_or("a document chunk is cut short")?;
        let taken = self
            .data
            .get(self.position..end)
            .ok_or("a document chunk is cut short")?;
        self.position = end;
        Ok(taken)
    }

    fn skip(&mut self, len: u64) -> Result<(), &'static str> {
        self.take(len).map(|_| ())
    }
}

/// An unsigned LEB128 number and its length in bytes; `None` if the input ends inside it.
pub(crate) fn read_leb128(bytes: &[u8]) -> Result<Option<(u64, usize)>, &'static str> {
    let mut value: u64 = 0;
    for (index, byte) in bytes.iter().enumerate().take(10) {
        let low_bits = u64::from(byte & 0x7f);
        let shift = 7 * index as u32;
        if shift == 63 && low_bits > 1 {
            return Err("a length overflows 64 bits");
        }
        value |= low_bits << shift;
        if byte & 0x80 == 0 {
            return Ok(Some((value, index + 1)));
        }
    }
    if bytes.len() >= 10 {
        Err("a length overflows 64 bits")
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};
    use flate2::Compression;
    use flate2::write::DeflateEncoder;

    use super::*;

    #[test]
    fn leb128_reads_and_bounds() {
        assert_eq!(read_leb128(&[0x05]), Ok(Some((5, 1))));
        assert_eq!(read_leb128(&[0x80, 0x01]), Ok(Some((128, 2))));
        assert_eq!(read_leb128(&[0x80]), Ok(None));
        assert!(read_leb128(&[0xff; 11]).is_err());
    }

    fn big_document() -> Automerge {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let text = tx
            .put_object(ROOT, "note", automerge::ObjType::Text)
            .unwrap();
        tx.splice_text(&text, 0, 0, &"重复的内容 repeated content ".repeat(1000))
            .unwrap();
        tx.commit();
        doc
    }

    #[test]
    fn measures_real_documents_and_changes() {
        let doc = big_document();
        let saved = doc.save();
        let frames = split_frames(&saved).unwrap();
        let [frame] = frames.complete.as_slice() else {
            panic!("one frame");
        };
        assert_eq!(frame.chunk_type, DOCUMENT_CHUNK);
        let inflated = check_inflated_size(frame, usize::MAX).unwrap();
        assert!(inflated > saved.len(), "{inflated} > {}", saved.len());
        assert!(check_inflated_size(frame, saved.len()).is_err());

        let mut change = doc.get_last_local_change().unwrap();
        let bytes = change.bytes().into_owned();
        let frames = split_frames(&bytes).unwrap();
        assert_eq!(frames.complete[0].chunk_type, COMPRESSED_CHANGE_CHUNK);
        assert!(check_inflated_size(&frames.complete[0], bytes.len()).is_err());
        assert!(check_inflated_size(&frames.complete[0], 10 * 1024 * 1024).is_ok());
    }

    #[test]
    fn a_deflate_bomb_stops_at_the_budget() {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&vec![0u8; 50 * 1024 * 1024]).unwrap();
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 100 * 1024);
        let mut frame_bytes = MAGIC_BYTES.to_vec();
        frame_bytes.extend([0, 0, 0, 0, COMPRESSED_CHANGE_CHUNK]);
        let mut len = bomb.len();
        while len >= 0x80 {
            frame_bytes.push((len as u8 & 0x7f) | 0x80);
            len >>= 7;
        }
        frame_bytes.push(len as u8);
        frame_bytes.extend(&bomb);
        let frames = split_frames(&frame_bytes).unwrap();
        assert_eq!(
            check_inflated_size(&frames.complete[0], 1024 * 1024),
            Err("the data inflates beyond the size limit")
        );
    }
}
