//! The tuning/held-out split of the evaluation commands: a stable hash of a key (a
//! reader's name, a paper's arXiv id) puts it in one half for good, so knobs are
//! chosen on one half and the figures reported on the other.

/// Which half of an evaluation's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Half {
    /// Chooses the knobs.
    Tune,
    /// Reports the figures.
    Report,
}

impl Half {
    /// The half of `key` (FNV-1a of its bytes, even: tuning).
    pub fn of(key: &str) -> Self {
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        if hash % 2 == 0 {
            Half::Tune
        } else {
            Half::Report
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_keeps_its_half_and_keys_fill_both() {
        assert_eq!(Half::of("ada"), Half::of("ada"));
        let ids: Vec<String> = (0..200).map(|i| format!("2501.{i:05}")).collect();
        let tune = ids.iter().filter(|id| Half::of(id) == Half::Tune).count();
        assert!(
            (70..=130).contains(&tune),
            "{tune} of 200 in the tuning half"
        );
    }
}
