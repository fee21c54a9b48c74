//! Ranking with ties.

/// Standard competition ranks ("1224") of rows already sorted best first: rows whose `key` is
/// equal share a rank, and the next distinct row's rank skips the shared places.
pub(crate) fn competition_ranks<T, K: PartialEq>(rows: &[T], key: impl Fn(&T) -> K) -> Vec<u32> {
    let mut ranks = Vec::with_capacity(rows.len());
    let mut previous: Option<K> = None;
    let mut current_rank = 0_u32;
    for (position, row) in rows.iter().enumerate() {
        let row_key = key(row);
        if previous.as_ref() != Some(&row_key) {
            current_rank = u32::try_from(position + 1).unwrap_or(u32::MAX);
        }
        ranks.push(current_rank);
        previous = Some(row_key);
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank() {
        let sorted = [90, 80, 80, 70, 70, 70, 10];
        assert_eq!(
            competition_ranks(&sorted, |value| *value),
            [1, 2, 2, 4, 4, 4, 7]
        );
        assert!(competition_ranks(&[] as &[i32], |value| *value).is_empty());
    }
}
