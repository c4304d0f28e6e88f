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
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Steps => "steps",
            Purpose::Failures => "failures",
            Purpose::Arrivals => "arrivals",
            Purpose::Think => "think",
        }
    }
}

/// Words of a stream reserved for one draw site (log2).
const SITE_WORDS_LOG2: u32 = 8;

/// A keyed ChaCha8 generator that is repositioned for each draw.
#[derive(Debug)]
pub struct Stream {
    rng: ChaCha8Rng,
}

impl Stream {
    /// The stream for `purpose` draws of class `class_name` under `seed`.
    pub fn new(seed: u64, class_name: &str, purpose: Purpose) -> Stream {
        Stream { rng: ChaCha8Rng::from_seed(derive_key(seed, class_name, purpose.tag())) }
    }

    /// Positions the generator at draw site `site` of sub-stream `stream`
    /// (a task or user index) and returns it, ready to yield words.
    pub fn at(&mut self, stream: u64, site: u64) -> &mut ChaCha8Rng {
        self.rng.set_stream(stream);
        // 68-bit word positions: 60 bits of site, 8 bits of words per site.
        let site = u128::from(site & ((1u64 << 60) - 1));
        self.rng.set_word_pos(site << SITE_WORDS_LOG2);
        &mut self.rng
    }

    /// The generator at its current position, for sequential draws
    /// (inter-arrival gaps of one class).
    pub fn sequential(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
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
pub fn next_word(rng: &mut ChaCha8Rng) -> u64 {
    rng.next_u64()
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
