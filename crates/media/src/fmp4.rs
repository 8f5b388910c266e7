//! Where the initialization segment and the fragments lie in a fragmented MP4 file (ISO/IEC
//! 14496-12), read from its top-level box headers: a DASH representation is one such file,
//! and its segment N is its Nth fragment (`moof` and the `mdat` after it). Works on a file
//! that is still being written: only boxes wholly there count.

use std::ops::Range;

/// A top-level box: its type and where it lies.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxAt {
    pub kind: [u8; 4],
    pub range: Range<u64>,
}

/// The header of the box at the start of `head` (at least 16 bytes, fewer at the end of the
/// file): its type and whole size. `None` when the bytes are not a box header.
pub fn header(head: &[u8], left: u64) -> Option<([u8; 4], u64)> {
    let size = u32::from_be_bytes(head.get(0..4)?.try_into().ok()?);
    let kind: [u8; 4] = head.get(4..8)?.try_into().ok()?;
    let size = match size {
        0 => left,
        1 => u64::from_be_bytes(head.get(8..16)?.try_into().ok()?),
        n => u64::from(n),
    };
    (size >= 8).then_some((kind, size))
}

/// What is known of a fragmented MP4 file so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Everything before the first fragment (`ftyp`, `moov`), once the first fragment began.
    pub init: Option<Range<u64>>,
    /// Each whole fragment, in order.
    pub fragments: Vec<Range<u64>>,
}

/// Reads the layout of the first `len` bytes of a file through `read_at` (which fills a buffer
/// from an offset and says how much it read).
pub fn layout(
    len: u64,
    mut read_at: impl FnMut(&mut [u8], u64) -> std::io::Result<usize>,
) -> std::io::Result<Layout> {
    let mut out = Layout::default();
    let mut at = 0u64;
    let mut moof: Option<u64> = None;
    let mut head = [0u8; 16];
    while at + 8 <= len {
        let n = read_at(&mut head, at)?;
        let Some((kind, size)) = header(&head[..n], len - at) else {
            return Err(std::io::Error::other(format!("no MP4 box at byte {at}")));
        };
        let end = at + size;
        if end > len {
            break; // still being written
        }
        match &kind {
            b"moof" => {
                out.init.get_or_insert(0..at);
                moof = Some(at);
            }
            b"mdat" => {
                if let Some(start) = moof.take() {
                    out.fragments.push(start..end);
                }
            }
            _ => {}
        }
        at = end;
    }
    Ok(out)
}

/// The top-level boxes of `bytes`, in order; an error names the first that does not fit.
pub fn boxes(bytes: &[u8]) -> Result<Vec<BoxAt>, String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let left = (bytes.len() - at) as u64;
        let (kind, size) = header(&bytes[at..bytes.len().min(at + 16)], left)
            .filter(|(_, size)| *size <= left)
            .ok_or_else(|| format!("no whole MP4 box at byte {at}"))?;
        out.push(BoxAt {
            kind,
            range: at as u64..at as u64 + size,
        });
        at += size as usize;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp4box(kind: &[u8; 4], payload: usize) -> Vec<u8> {
        let mut b = ((8 + payload) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.resize(8 + payload, 0);
        b
    }

    fn read_from(bytes: &[u8]) -> impl FnMut(&mut [u8], u64) -> std::io::Result<usize> + '_ {
        |buf, at| {
            let from = &bytes[at as usize..];
            let n = buf.len().min(from.len());
            buf[..n].copy_from_slice(&from[..n]);
            Ok(n)
        }
    }

    #[test]
    fn fragments_are_moof_and_mdat_pairs() {
        let file = [
            mp4box(b"ftyp", 20),
            mp4box(b"moov", 100),
            mp4box(b"moof", 50),
            mp4box(b"mdat", 1000),
            mp4box(b"moof", 50),
            mp4box(b"mdat", 900),
            mp4box(b"mfra", 10),
        ]
        .concat();
        let all = layout(file.len() as u64, read_from(&file)).unwrap();
        assert_eq!(all.init, Some(0..136));
        assert_eq!(all.fragments, vec![136..1202, 1202..2168]);
        // Half of the second mdat written: one fragment so far.
        let part = layout(1700, read_from(&file)).unwrap();
        assert_eq!(part.fragments, vec![136..1202]);
        let none = layout(100, read_from(&file)).unwrap();
        assert_eq!(none, Layout::default());
        let broken = [0, 0, 0, 3, b'x', 0, 0, 0];
        assert!(layout(8, read_from(&broken)).is_err());
        assert_eq!(boxes(&file).unwrap().len(), 7);
        assert!(boxes(&file[..file.len() - 1]).is_err());
    }
}
