//! Integer-only draws from the seeded generator. No floats: the same seed gives the same data
//! on every platform, wasm32 included.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// One item of a non-empty constant table, uniformly.
pub(super) fn pick<'t, T, const N: usize>(rng: &mut ChaCha8Rng, items: &'t [T; N]) -> &'t T {
    const { assert!(N > 0, "tables to pick from are not empty") };
    &items[rng.random_range(0..N)]
}

/// One item of a slice, uniformly; `None` when it is empty.
pub(super) fn pick_from<'t, T>(rng: &mut ChaCha8Rng, items: &'t [T]) -> Option<&'t T> {
    if items.is_empty() {
        return None;
    }
    items.get(rng.random_range(0..items.len()))
}

/// One item of a non-empty constant table, with probability proportional to its weight.
pub(super) fn pick_weighted<'t, T, const N: usize>(
    rng: &mut ChaCha8Rng,
    items: &'t [(u32, T); N],
) -> &'t T {
    const { assert!(N > 0, "tables to pick from are not empty") };
    let total: u32 = items.iter().map(|(weight, _)| *weight).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (weight, item) in items {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    &items[N - 1].1
}

/// The index of a weight in `weights`, drawn with probability proportional to it.
pub(super) fn pick_index(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (index, weight) in weights.iter().enumerate() {
        if roll < *weight {
            return index;
        }
        roll -= weight;
    }
    weights.len().saturating_sub(1)
}

/// True with `percent` % probability.
pub(super) fn chance(rng: &mut ChaCha8Rng, percent: i64) -> bool {
    rng.random_range(0..100) < percent
}

/// A whole number in `low..=high` (`low` when the range is empty).
pub(super) fn between(rng: &mut ChaCha8Rng, low: i64, high: i64) -> i64 {
    if high <= low {
        return low;
    }
    rng.random_range(low..=high)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn draws_stay_in_range_and_follow_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut counts = [0_u32; 3];
        for _ in 0..3_000 {
            let index = pick_index(&mut rng, &[1, 0, 3]);
            counts[index] += 1;
            assert!((5..=9).contains(&between(&mut rng, 5, 9)));
        }
        assert_eq!(counts[1], 0);
        assert!(counts[2] > counts[0] * 2, "{counts:?}");
        assert_eq!(between(&mut rng, 4, 2), 4);
        assert_eq!(pick_from::<u8>(&mut rng, &[]), None);
        assert_eq!(*pick_weighted(&mut rng, &[(0, 'a'), (5, 'b')]), 'b');
        assert!(!chance(&mut rng, 0));
        assert!(chance(&mut rng, 100));
    }
}
