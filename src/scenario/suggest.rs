//! "Did you mean …?" for misspelled field names, step kinds and strategies.
//!
//! The distance is [`strsim::osa_distance`]: edits in characters, counting
//! an insertion, a deletion, a substitution or a swap of two neighbours as
//! one edit (optimal string alignment, each substring edited once), so
//! "lable" is one edit from "label". Plain Levenshtein would count a swap
//! as two; unrestricted Damerau–Levenshtein would allow edits inside a swap
//! ("ca" to "abc" is 2 for it, 3 here).

/// The closest of `candidates` to `word`, if it is close enough to be a
/// plausible typo (edit distance at most a third of its length, at least 1).
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    candidates
        .iter()
        // The distance is at least the difference in length: a candidate
        // too short or too long is not compared (a megabyte-long key costs
        // nothing).
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (strsim::osa_distance(&word, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plausible_typos_only() {
        let kinds = ["io", "cpu", "sleep", "blocking", "gather", "timeout"];
        assert_eq!(closest("slep", &kinds), Some("sleep"));
        assert_eq!(closest("gahter", &kinds), Some("gather"));
        assert_eq!(closest("Timeout", &kinds), Some("timeout"));
        assert_eq!(closest("network", &kinds), None);
        assert_eq!(closest("lable", &["label", "fail"]), Some("label"));
    }

    #[test]
    fn distance_counts_edits() {
        use strsim::osa_distance;
        assert_eq!(osa_distance("kitten", "sitting"), 3);
        assert_eq!(osa_distance("", "abc"), 3);
        assert_eq!(osa_distance("same", "same"), 0);
        assert_eq!(osa_distance("lable", "label"), 1);
        assert_eq!(osa_distance("ca", "abc"), 3);
        assert_eq!(osa_distance("ünïcödé", "unicode"), 4);
    }

    /// The hand-written distance simbench used before strsim, kept as the
    /// reference: optimal string alignment over characters.
    fn reference_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        // rows[i][j]: distance between a[..i] and b[..j].
        let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in rows.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in rows[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(rows[i - 2][j - 2] + 1);
                }
                rows[i][j] = best;
            }
        }
        rows[a.len()][b.len()]
    }

    /// Every pair of words of up to 5 letters over a 3-letter alphabet (one
    /// of them multi-byte): strsim's distance is the reference's.
    #[test]
    fn strsim_matches_the_reference_exhaustively() {
        let mut words = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last.iter().flat_map(|w| ['a', 'b', 'é'].map(|c| format!("{w}{c}"))).collect();
            words.extend(last.iter().cloned());
        }
        for a in &words {
            for b in &words {
                assert_eq!(strsim::osa_distance(a, b), reference_distance(a, b), "{a:?} {b:?}");
            }
        }
    }
}
