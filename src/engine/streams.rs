//! Seeded random streams: every draw's randomness is a pure function of the
//! scenario seed and *what* is being drawn, never of the order of draws.
//!
//! A stream is named by (seed, class name, purpose). Within it, ChaCha8's
//! 64-bit stream id selects the task (or closed-loop user), and the word
//! position selects the draw site: a hash of the fiber instance (which gather
//! branch copy, which spawn) and the op's offset in its class's program.
//! Consequences the engine relies on:
//! - common random numbers: task k of a class draws the same latencies under
//!   every strategy, however differently the strategies interleave its work;
//! - adding a strategy changes nothing; adding a class or a purpose changes
//!   no other class's or purpose's draws (keys hash the class *name*).
//!
//! Each draw site owns 256 words of its stream, far more than any sampler
//! takes (a truncated normal at most 32).

use rand::Rng;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// What a stream is for. Part of the key, so purposes never share draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Step durations.
    Steps,
    /// Whether an io step fails.
    Failures,
    /// Open-loop inter-arrival gaps.
    Arrivals,
    /// Closed-loop think times.
    Think,
    /// Service times of `call` attempts.
    Service,
    /// Whether a served `call` attempt fails.
    CallFailures,
    /// Retry backoff jitter.
    Jitter,
    /// The backoff jitter of `retry` steps (R-RETRY-PROGRAM-JITTER).
    RetryProgram,
    /// Which waiter CPython's GIL goes to (R-GIL-CONVOY).
    Gil,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Steps => "steps",
            Purpose::Failures => "failures",
            Purpose::Arrivals => "arrivals",
            Purpose::Think => "think",
            Purpose::Service => "service",
            Purpose::CallFailures => "call-failures",
            Purpose::Jitter => "jitter",
            Purpose::RetryProgram => "retry-program",
            Purpose::Gil => "gil",
        }
    }
}

/// Words of a stream reserved for one draw site (log2).
const SITE_WORDS_LOG2: u32 = 8;
/// 32-bit words in a ChaCha block.
const BLOCK_WORDS: usize = 16;

/// A keyed ChaCha8 stream family: random access by (sub-stream, draw site)
/// for step durations, failures and think times, and one sequential
/// generator for inter-arrival gaps.
#[derive(Debug)]
pub struct Stream {
    /// The sequential generator (sub-stream 0 from word 0).
    rng: ChaCha8Rng,
    /// The cursor [`Stream::at`] hands out.
    site: SiteBits,
}

/// The words of one draw site: ChaCha8 blocks computed on demand at the
/// site's position (with AVX2, each together with the same block of the
/// next sub-stream, kept for it). The same words as a `ChaCha8Rng` set to
/// that stream and word position (tested), at a quarter of the cost: the
/// generator in `rand` recomputes a four-block buffer after every
/// repositioning, and a draw needs one block (a truncated normal at most
/// two).
#[derive(Clone, Debug)]
pub struct SiteBits {
    key: [u32; 8],
    stream: u64,
    /// The next block to compute.
    block: u64,
    /// The current block, `bufs[current]`, and the other buffer, which may
    /// hold a block computed ahead: the same block of the next sub-stream,
    /// at (`ahead_stream`, `ahead_block`) when `ahead_valid`. Tasks tend to
    /// reach a draw site in task order (a batch's first loop iteration, a
    /// queue's customers starting service), so task k + 1's block is often
    /// the next one asked for, and two blocks cost one with AVX2.
    bufs: [[u32; BLOCK_WORDS]; 2],
    current: usize,
    /// Next unread word of the current block; `BLOCK_WORDS` when it is used
    /// up.
    index: usize,
    ahead_stream: u64,
    ahead_block: u64,
    ahead_valid: bool,
}

impl Stream {
    /// The stream for `purpose` draws of class `class_name` under `seed`.
    pub fn new(seed: u64, class_name: &str, purpose: Purpose) -> Stream {
        let seed = derive_key(seed, class_name, purpose.tag());
        let mut key = [0u32; 8];
        for (word, bytes) in key.iter_mut().zip(seed.chunks_exact(4)) {
            *word = u32::from_le_bytes(bytes.try_into().expect("four bytes"));
        }
        let site = SiteBits {
            key,
            stream: 0,
            block: 0,
            bufs: [[0; BLOCK_WORDS]; 2],
            current: 0,
            index: BLOCK_WORDS,
            ahead_stream: 0,
            ahead_block: 0,
            ahead_valid: false,
        };
        Stream { rng: ChaCha8Rng::from_seed(seed), site }
    }

    /// Positions a cursor at draw site `site` of sub-stream `stream` (a task
    /// or user index) and returns it, ready to yield words. Nothing is
    /// computed until the first word is read.
    #[inline]
    pub fn at(&mut self, stream: u64, site: u64) -> &mut SiteBits {
        // 68-bit word positions: 60 bits of site, 8 bits of words per site,
        // so the site's first block is `site << 4`.
        let site = site & ((1u64 << 60) - 1);
        self.site.stream = stream;
        self.site.block = site << (SITE_WORDS_LOG2 - BLOCK_WORDS.trailing_zeros());
        self.site.index = BLOCK_WORDS;
        &mut self.site
    }

    /// The generator at its current position, for sequential draws
    /// (inter-arrival gaps of one class).
    pub fn sequential(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// The generator alone, for a consumer that only draws sequentially.
    pub fn into_sequential(self) -> ChaCha8Rng {
        self.rng
    }
}

/// A source of uniform 64-bit words.
pub trait Words {
    fn next_word(&mut self) -> u64;
}

impl Words for ChaCha8Rng {
    #[inline]
    fn next_word(&mut self) -> u64 {
        self.next_u64()
    }
}

impl Words for SiteBits {
    /// Two consecutive 32-bit words, low first (as `rand`'s block RNGs
    /// combine them).
    #[inline]
    fn next_word(&mut self) -> u64 {
        if self.index >= BLOCK_WORDS {
            self.next_block();
        }
        let buf = &self.bufs[self.current];
        let word = u64::from(buf[self.index]) | (u64::from(buf[self.index + 1]) << 32);
        self.index += 2;
        word
    }
}

impl SiteBits {
    /// Makes the block at (`stream`, `block`) the current one: the block
    /// computed ahead if it is that one, else computed now (with the next
    /// sub-stream's, kept ahead, where the CPU has AVX2).
    #[inline(never)]
    fn next_block(&mut self) {
        let other = 1 - self.current;
        if self.ahead_valid && self.ahead_stream == self.stream && self.ahead_block == self.block {
            self.current = other;
            self.ahead_valid = false;
        } else {
            let [a, b] = &mut self.bufs;
            let (now, ahead) = if self.current == 0 { (a, b) } else { (b, a) };
            if chacha8_block_pair(&self.key, self.block, self.stream, now, ahead) {
                self.ahead_stream = self.stream.wrapping_add(1);
                self.ahead_block = self.block;
                self.ahead_valid = true;
            } else {
                chacha8_block(&self.key, self.block, self.stream, now);
            }
        }
        self.block = self.block.wrapping_add(1);
        self.index = 0;
    }
}

/// The seed of replication `replication` of a run seeded `seed`: `seed`
/// itself for replication 0 (so one replication is the plain run), else the
/// first word of stream `replication` of a ChaCha8 generator keyed by the
/// seed and the purpose "replications", the derivation every other stream
/// uses. Independent of how many replications there are, and of the order
/// in which they run.
pub fn replication_seed(seed: u64, replication: u32) -> u64 {
    if replication == 0 {
        return seed;
    }
    let mut rng = ChaCha8Rng::from_seed(derive_key(seed, "", "replications"));
    rng.set_stream(u64::from(replication));
    rng.next_u64()
}

/// Draws one `u64` from a generator; a helper for samplers' bit sources.
#[inline]
pub fn next_word(rng: &mut impl Words) -> u64 {
    rng.next_word()
}

/// The initial ChaCha state: constants, key, 64-bit block counter (words
/// 12–13), 64-bit stream id (words 14–15): Bernstein's original layout, as
/// `rand`'s `ChaCha8Rng` uses it.
#[inline]
fn chacha_input(key: &[u32; 8], block: u64, stream: u64) -> [u32; BLOCK_WORDS] {
    [
        0x6170_7865,
        0x3320_646e,
        0x7962_2d32,
        0x6b20_6574,
        key[0],
        key[1],
        key[2],
        key[3],
        key[4],
        key[5],
        key[6],
        key[7],
        block as u32,
        (block >> 32) as u32,
        stream as u32,
        (stream >> 32) as u32,
    ]
}

/// One block of ChaCha with 8 rounds, in portable scalar code.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn chacha8_block_scalar(key: &[u32; 8], block: u64, stream: u64, out: &mut [u32; BLOCK_WORDS]) {
    let input = chacha_input(key, block, stream);
    let mut x = input;
    #[inline(always)]
    fn quarter(x: &mut [u32; BLOCK_WORDS], a: usize, b: usize, c: usize, d: usize) {
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(16);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(12);
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(8);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(7);
    }
    for _ in 0..4 {
        quarter(&mut x, 0, 4, 8, 12);
        quarter(&mut x, 1, 5, 9, 13);
        quarter(&mut x, 2, 6, 10, 14);
        quarter(&mut x, 3, 7, 11, 15);
        quarter(&mut x, 0, 5, 10, 15);
        quarter(&mut x, 1, 6, 11, 12);
        quarter(&mut x, 2, 7, 8, 13);
        quarter(&mut x, 3, 4, 9, 14);
    }
    for ((o, x), i) in out.iter_mut().zip(x).zip(input) {
        *o = x.wrapping_add(i);
    }
}

/// One block of ChaCha with 8 rounds, one row of the state per SSE2
/// register (SSE2 is part of every x86-64 CPU). Integer arithmetic only:
/// the same words as [`chacha8_block_scalar`] (tested), about four times
/// fewer instructions. Where the CPU has SSSE3 (all but the first x86-64
/// generations), the 16- and 8-bit rotations are one byte shuffle each
/// instead of two shifts and an or: the same words, a fifth fewer
/// instructions. The check is a cached flag.
#[cfg(target_arch = "x86_64")]
#[inline]
fn chacha8_block(key: &[u32; 8], block: u64, stream: u64, out: &mut [u32; BLOCK_WORDS]) {
    if std::arch::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU has SSSE3 (checked above).
        unsafe { chacha8_block_ssse3(key, block, stream, out) }
    } else {
        // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 CPU has it.
        unsafe { chacha8_block_sse2(key, block, stream, out) }
    }
}

/// ChaCha8's four double rounds on a state held one row per register
/// (`$a`..`$d`), for any register width whose shuffles stay within 128-bit
/// lanes (each lane then holds its own block): `$add`, `$xor` and
/// `$shuffle` are that width's lane-wise add, xor and 32-bit shuffle, and
/// `$rotl` rotates each 32-bit lane left by 16, 12, 8 or 7.
#[cfg(target_arch = "x86_64")]
macro_rules! chacha8_rounds {
    ($a:ident, $b:ident, $c:ident, $d:ident, $add:ident, $xor:ident, $shuffle:ident, $rotl:ident) => {
        macro_rules! columns {
            () => {
                $a = $add($a, $b);
                $d = $rotl!($xor($d, $a), 16);
                $c = $add($c, $d);
                $b = $rotl!($xor($b, $c), 12);
                $a = $add($a, $b);
                $d = $rotl!($xor($d, $a), 8);
                $c = $add($c, $d);
                $b = $rotl!($xor($b, $c), 7);
            };
        }
        for _ in 0..4 {
            columns!();
            // Diagonals become columns: rotate rows 1, 2, 3 left by 1, 2, 3 lanes.
            $b = $shuffle::<0x39>($b);
            $c = $shuffle::<0x4e>($c);
            $d = $shuffle::<0x93>($d);
            columns!();
            $b = $shuffle::<0x93>($b);
            $c = $shuffle::<0x4e>($c);
            $d = $shuffle::<0x39>($d);
        }
    };
}

/// Defines a ChaCha8 block function on SSE registers, `$feature` enabled,
/// with the given 16- and 8-bit left rotations of four 32-bit lanes
/// (closures over `std::arch::x86_64`, compiled with the feature).
#[cfg(target_arch = "x86_64")]
macro_rules! chacha8_block_sse {
    ($name:ident, $feature:literal, $rotl16:expr, $rotl8:expr) => {
        #[target_feature(enable = $feature)]
        fn $name(key: &[u32; 8], block: u64, stream: u64, out: &mut [u32; BLOCK_WORDS]) {
            use std::arch::x86_64::*;
            let i = chacha_input(key, block, stream);
            let row = |r: usize| _mm_set_epi32(i[r + 3] as i32, i[r + 2] as i32, i[r + 1] as i32, i[r] as i32);
            let (a0, b0, c0, d0) = (row(0), row(4), row(8), row(12));
            let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
            let rotl16 = |x: __m128i| -> __m128i { $rotl16(x) };
            let rotl8 = |x: __m128i| -> __m128i { $rotl8(x) };
            macro_rules! rotl {
                ($x:expr, 16) => {
                    rotl16($x)
                };
                ($x:expr, 8) => {
                    rotl8($x)
                };
                ($x:expr, $n:literal) => {
                    _mm_or_si128(_mm_slli_epi32::<$n>($x), _mm_srli_epi32::<{ 32 - $n }>($x))
                };
            }
            chacha8_rounds!(a, b, c, d, _mm_add_epi32, _mm_xor_si128, _mm_shuffle_epi32, rotl);
            let rows = [_mm_add_epi32(a, a0), _mm_add_epi32(b, b0), _mm_add_epi32(c, c0), _mm_add_epi32(d, d0)];
            for (chunk, r) in out.chunks_exact_mut(4).zip(rows) {
                // SAFETY: `chunk` is four `u32`s, 16 writable bytes; the store is
                // unaligned.
                unsafe { _mm_storeu_si128(chunk.as_mut_ptr().cast(), r) };
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
chacha8_block_sse!(
    chacha8_block_sse2,
    "sse2",
    |x| _mm_or_si128(_mm_slli_epi32::<16>(x), _mm_srli_epi32::<16>(x)),
    |x| _mm_or_si128(_mm_slli_epi32::<8>(x), _mm_srli_epi32::<24>(x))
);

#[cfg(target_arch = "x86_64")]
chacha8_block_sse!(
    chacha8_block_ssse3,
    "ssse3",
    |x| _mm_shuffle_epi8(x, _mm_set_epi8(13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2)),
    |x| _mm_shuffle_epi8(x, _mm_set_epi8(14, 13, 12, 15, 10, 9, 8, 11, 6, 5, 4, 7, 2, 1, 0, 3))
);

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn chacha8_block(key: &[u32; 8], block: u64, stream: u64, out: &mut [u32; BLOCK_WORDS]) {
    chacha8_block_scalar(key, block, stream, out)
}

/// Blocks `block` of sub-streams `stream` and `stream + 1` together into
/// `first` and `second`, where the CPU has AVX2 (one block per 128-bit
/// lane, for the instructions of one); false, and nothing written,
/// elsewhere. The check is a cached flag.
#[cfg(target_arch = "x86_64")]
#[inline]
fn chacha8_block_pair(
    key: &[u32; 8],
    block: u64,
    stream: u64,
    first: &mut [u32; BLOCK_WORDS],
    second: &mut [u32; BLOCK_WORDS],
) -> bool {
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked above).
        unsafe { chacha8_block_pair_avx2(key, block, stream, first, second) };
        true
    } else {
        false
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn chacha8_block_pair(_: &[u32; 8], _: u64, _: u64, _: &mut [u32; BLOCK_WORDS], _: &mut [u32; BLOCK_WORDS]) -> bool {
    false
}

/// [`chacha8_block_ssse3`] on 256-bit registers: the low lane holds a row
/// of the block of `stream`, the high lane the same row of `stream + 1`'s.
/// Every shuffle stays within its lane, so each lane computes its block
/// exactly as the SSE versions do (tested against the scalar block).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn chacha8_block_pair_avx2(
    key: &[u32; 8],
    block: u64,
    stream: u64,
    first: &mut [u32; BLOCK_WORDS],
    second: &mut [u32; BLOCK_WORDS],
) {
    use std::arch::x86_64::*;
    let lo = chacha_input(key, block, stream);
    let hi = chacha_input(key, block, stream.wrapping_add(1));
    let row = |r: usize| {
        let w = |x: &[u32; BLOCK_WORDS], k: usize| x[r + k] as i32;
        _mm256_set_epi32(w(&hi, 3), w(&hi, 2), w(&hi, 1), w(&hi, 0), w(&lo, 3), w(&lo, 2), w(&lo, 1), w(&lo, 0))
    };
    let (a0, b0, c0, d0) = (row(0), row(4), row(8), row(12));
    let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
    let r16 = _mm256_set_epi8(
        13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2, 13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2,
    );
    let r8 = _mm256_set_epi8(
        14, 13, 12, 15, 10, 9, 8, 11, 6, 5, 4, 7, 2, 1, 0, 3, 14, 13, 12, 15, 10, 9, 8, 11, 6, 5, 4, 7, 2, 1, 0, 3,
    );
    macro_rules! rotl {
        ($x:expr, 16) => {
            _mm256_shuffle_epi8($x, r16)
        };
        ($x:expr, 8) => {
            _mm256_shuffle_epi8($x, r8)
        };
        ($x:expr, $n:literal) => {
            _mm256_or_si256(_mm256_slli_epi32::<$n>($x), _mm256_srli_epi32::<{ 32 - $n }>($x))
        };
    }
    chacha8_rounds!(a, b, c, d, _mm256_add_epi32, _mm256_xor_si256, _mm256_shuffle_epi32, rotl);
    let rows = [_mm256_add_epi32(a, a0), _mm256_add_epi32(b, b0), _mm256_add_epi32(c, c0), _mm256_add_epi32(d, d0)];
    for (k, r) in rows.into_iter().enumerate() {
        // SAFETY: each destination is four `u32`s, 16 writable bytes; the
        // stores are unaligned.
        unsafe {
            _mm_storeu_si128(first[4 * k..].as_mut_ptr().cast(), _mm256_castsi256_si128(r));
            _mm_storeu_si128(second[4 * k..].as_mut_ptr().cast(), _mm256_extracti128_si256::<1>(r));
        }
    }
}

/// Combines two 64-bit values into a well-mixed one (SplitMix64 finaliser of
/// a keyed sum). Used to name fiber instances and draw sites.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_add(0x9E37_79B9_7F4A_7C15).wrapping_add(a << 6).wrapping_add(a >> 2);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 32-byte ChaCha key from the seed and the stream's names: FNV-1a over the
/// names, spread over four words by [`mix`]. Not cryptographic; it only has
/// to separate streams.
fn derive_key(seed: u64, class_name: &str, purpose: &str) -> [u8; 32] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in class_name.bytes().chain([0xff]).chain(purpose.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut key = [0u8; 32];
    let mut word = mix(seed, h);
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&word.to_le_bytes());
        word = mix(word, h ^ seed);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_word(stream: &mut Stream, task: u64, site: u64) -> u64 {
        next_word(stream.at(task, site))
    }

    #[test]
    fn draws_depend_only_on_their_coordinates() {
        let mut a = Stream::new(7, "api", Purpose::Steps);
        let mut b = Stream::new(7, "api", Purpose::Steps);
        let x = first_word(&mut a, 3, 11);
        // Other draws in between do not change the value at (3, 11).
        first_word(&mut b, 9, 2);
        first_word(&mut b, 3, 12);
        assert_eq!(first_word(&mut b, 3, 11), x);
    }

    #[test]
    fn streams_are_separated_by_seed_class_purpose_task_and_site() {
        let base = first_word(&mut Stream::new(7, "api", Purpose::Steps), 3, 11);
        assert_ne!(first_word(&mut Stream::new(8, "api", Purpose::Steps), 3, 11), base);
        assert_ne!(first_word(&mut Stream::new(7, "web", Purpose::Steps), 3, 11), base);
        assert_ne!(first_word(&mut Stream::new(7, "api", Purpose::Failures), 3, 11), base);
        assert_ne!(first_word(&mut Stream::new(7, "api", Purpose::Steps), 4, 11), base);
        assert_ne!(first_word(&mut Stream::new(7, "api", Purpose::Steps), 3, 12), base);
    }

    /// The cursor yields exactly the words of a `ChaCha8Rng` positioned by
    /// `set_stream` and `set_word_pos`, across block boundaries.
    #[test]
    fn site_words_are_chacha8_at_the_site_position() {
        for (seed, task, site) in [(7u64, 3u64, 11u64), (1, 0, 0), (99, u64::MAX, (1 << 60) - 1), (5, 1 << 40, 12345)] {
            let mut stream = Stream::new(seed, "api", Purpose::Steps);
            let mut rng = ChaCha8Rng::from_seed(derive_key(seed, "api", "steps"));
            rng.set_stream(task);
            rng.set_word_pos(u128::from(site) << SITE_WORDS_LOG2);
            let cursor = stream.at(task, site);
            for i in 0..40 {
                assert_eq!(next_word(cursor), rng.next_u64(), "seed {seed} task {task} site {site} word {i}");
            }
        }
    }

    /// Whether a test may check a CPU feature's kernel. A missing feature
    /// fails the test unless `SIMBENCH_TEST_WITHOUT` (a comma-separated list)
    /// names it, so a check is never skipped silently (tests/it/main.rs).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn cpu_has(feature: &str, detected: bool) -> bool {
        if detected {
            return true;
        }
        let declared = std::env::var("SIMBENCH_TEST_WITHOUT").is_ok_and(|v| v.split(',').any(|x| x == feature));
        assert!(declared, "this CPU lacks {feature}: set SIMBENCH_TEST_WITHOUT={feature} to run without its check");
        eprintln!("note: {feature} absent (SIMBENCH_TEST_WITHOUT): its check is skipped");
        false
    }

    #[test]
    fn simd_and_scalar_blocks_agree() {
        let key = [1, 2, 3, 0xdead_beef, 5, 6, 7, u32::MAX];
        for (block, stream) in [(0, 0), (1, 2), (u64::MAX, u64::MAX), (1 << 40, 12345)] {
            let (mut simd, mut scalar) = ([0; BLOCK_WORDS], [0; BLOCK_WORDS]);
            chacha8_block(&key, block, stream, &mut simd);
            chacha8_block_scalar(&key, block, stream, &mut scalar);
            assert_eq!(simd, scalar);
            #[cfg(target_arch = "x86_64")]
            {
                // Both SSE versions, whichever `chacha8_block` picks here.
                let mut sse2 = [0; BLOCK_WORDS];
                // SAFETY: SSE2 is part of the x86-64 baseline.
                unsafe { chacha8_block_sse2(&key, block, stream, &mut sse2) };
                assert_eq!(sse2, scalar);
                if cpu_has("ssse3", std::arch::is_x86_feature_detected!("ssse3")) {
                    let mut ssse3 = [0; BLOCK_WORDS];
                    // SAFETY: the CPU has SSSE3 (checked above).
                    unsafe { chacha8_block_ssse3(&key, block, stream, &mut ssse3) };
                    assert_eq!(ssse3, scalar);
                }
            }
        }
    }

    #[test]
    #[cfg_attr(not(target_arch = "x86_64"), ignore = "block pairs are computed with AVX2, an x86-64 extension")]
    fn block_pairs_are_the_blocks_of_two_neighbouring_streams() {
        let key = [1, 2, 3, 0xdead_beef, 5, 6, 7, u32::MAX];
        for (block, stream) in [(0, 0), (1, 2), (u64::MAX, u64::MAX - 1), (u64::MAX, u64::MAX), (1 << 40, 12345)] {
            let (mut first, mut second) = ([0; BLOCK_WORDS], [0; BLOCK_WORDS]);
            let paired = chacha8_block_pair(&key, block, stream, &mut first, &mut second);
            if !cpu_has("avx2", paired) {
                return;
            }
            let (mut a, mut b) = ([0; BLOCK_WORDS], [0; BLOCK_WORDS]);
            chacha8_block_scalar(&key, block, stream, &mut a);
            chacha8_block_scalar(&key, block, stream.wrapping_add(1), &mut b);
            assert_eq!((first, second), (a, b), "block {block} stream {stream}");
        }
    }

    /// Draws in task order (where blocks are computed ahead), in reverse and
    /// repeated give the same words as fresh cursors.
    #[test]
    fn blocks_computed_ahead_change_no_word() {
        let mut shared = Stream::new(5, "api", Purpose::Steps);
        let fresh = |task: u64, site: u64| {
            let mut s = Stream::new(5, "api", Purpose::Steps);
            let cursor = s.at(task, site);
            (0..20).map(|_| next_word(cursor)).collect::<Vec<u64>>()
        };
        let order = (0..6u64).chain((0..6).rev()).chain([3, 3, 4, 9, 10, 10]);
        for task in order {
            for site in [7u64, 8] {
                let cursor = shared.at(task, site);
                let words: Vec<u64> = (0..20).map(|_| next_word(cursor)).collect();
                assert_eq!(words, fresh(task, site), "task {task} site {site}");
            }
        }
    }

    #[test]
    fn replication_seeds_are_fixed_distinct_and_start_with_the_seed() {
        assert_eq!(replication_seed(42, 0), 42);
        let seeds: Vec<u64> = (0..100).map(|r| replication_seed(42, r)).collect();
        let mut unique = seeds.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 100);
        assert_eq!(replication_seed(42, 7), seeds[7]);
        assert_ne!(replication_seed(43, 7), seeds[7]);
    }

    #[test]
    fn sites_do_not_overlap() {
        // A site's 256 words never reach the next site's first word.
        let mut s = Stream::new(1, "c", Purpose::Steps);
        let rng = s.at(0, 5);
        let words: Vec<u64> = (0..128).map(|_| next_word(rng)).collect();
        let next_site = first_word(&mut s, 0, 6);
        assert!(!words.contains(&next_site));
    }
}
