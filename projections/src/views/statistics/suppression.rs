//! Small-cell suppression for published counts. A count under the threshold
//! (and above zero) is not shown. Then, wherever a total is shown, the total
//! minus the shown cells is the sum of the hidden ones: a group may not hide
//! just one cell, nor cells whose sum is under the threshold (two hidden
//! cells summing to 2 are both 1), so more cells are hidden with them, the
//! smallest first, or else the total. A hidden total may not have every cell
//! shown. Repeated until nothing changes, since one total can serve several
//! groups.

/// Counts that sum to a total: indices into the counts.
pub struct Group {
    pub cells: Vec<usize>,
    pub total: usize,
}

/// Which of `counts` to hide.
pub fn suppress(counts: &[i64], groups: &[Group], threshold: i64) -> Vec<bool> {
    let mut hidden: Vec<bool> = counts.iter().map(|&n| n > 0 && n < threshold).collect();
    loop {
        let mut changed = false;
        for group in groups {
            let hidden_cells = group.cells.iter().filter(|&&c| hidden[c]).count();
            let hidden_sum: i64 = group
                .cells
                .iter()
                .filter(|&&c| hidden[c])
                .map(|&c| counts[c])
                .sum();
            let exposes = if hidden[group.total] {
                // A hidden total with every cell shown is their sum.
                hidden_cells == 0 && group.cells.iter().any(|&c| counts[c] > 0)
            } else {
                hidden_cells == 1 || (hidden_cells > 1 && hidden_sum < threshold)
            };
            if !exposes {
                continue;
            }
            // Hide the smallest shown cell that is not zero (a hidden zero
            // next to a hidden 1 would give both away); else the total.
            let complement = group
                .cells
                .iter()
                .copied()
                .filter(|&c| !hidden[c] && counts[c] > 0)
                .min_by_key(|&c| counts[c]);
            match complement {
                Some(cell) => hidden[cell] = true,
                None => hidden[group.total] = true,
            }
            changed = true;
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(cells: &[usize], total: usize) -> Group {
        Group {
            cells: cells.to_vec(),
            total,
        }
    }

    #[test]
    fn small_counts_are_hidden_and_zero_is_shown() {
        let hidden = suppress(&[0, 3, 5, 12], &[], 5);
        assert_eq!(hidden, [false, true, false, false]);
    }

    #[test]
    fn a_lone_hidden_cell_takes_the_smallest_other_with_it() {
        // 3 + 9 + 7 = 19: with only the 3 hidden, 19 - 9 - 7 gives it away.
        let counts = [3, 9, 7, 19];
        let hidden = suppress(&counts, &[group(&[0, 1, 2], 3)], 5);
        assert_eq!(hidden, [true, false, true, false]);
    }

    #[test]
    fn hidden_cells_must_not_sum_to_less_than_the_threshold() {
        // 1 + 1 + 9 = 11: hiding the two 1s alone says both are 1.
        let counts = [1, 1, 9, 11];
        let hidden = suppress(&counts, &[group(&[0, 1, 2], 3)], 5);
        assert_eq!(hidden, [true, true, true, false]);
    }

    #[test]
    fn a_total_shared_by_two_groups_is_kept_safe_in_both() {
        // Areas 6 + 6 = 12 and results 10 + 2 = 12: the 2 hides the 10 with
        // it; the areas need nothing.
        let counts = [6, 6, 10, 2, 12];
        let groups = [group(&[0, 1], 4), group(&[2, 3], 4)];
        let hidden = suppress(&counts, &groups, 5);
        assert_eq!(hidden, [false, false, true, true, false]);
    }

    #[test]
    fn no_group_is_ever_left_with_one_hidden_cell_under_a_shown_total() {
        // Many random tables of two groupings sharing their total.
        let mut seed: u64 = 7;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % below
        };
        for _ in 0..2000 {
            let areas: Vec<i64> = (0..1 + next(4)).map(|_| next(9) as i64).collect();
            let total: i64 = areas.iter().sum();
            // Split the same total over results.
            let mut results = Vec::new();
            let mut left = total;
            while left > 0 {
                let part = 1 + next(left as u64) as i64;
                results.push(part);
                left -= part;
            }
            let mut counts = areas.clone();
            counts.extend(&results);
            counts.push(total);
            let t = counts.len() - 1;
            let groups = [
                group(&(0..areas.len()).collect::<Vec<_>>(), t),
                group(&(areas.len()..t).collect::<Vec<_>>(), t),
            ];
            let hidden = suppress(&counts, &groups, 5);
            for (i, &n) in counts.iter().enumerate() {
                assert!(!(n > 0 && n < 5) || hidden[i], "{counts:?} shows {n}");
            }
            for g in &groups {
                let shown_cells = g.cells.iter().filter(|&&c| !hidden[c]).count();
                let hidden_cells = g.cells.len() - shown_cells;
                if hidden[g.total] {
                    let nonzero = g.cells.iter().any(|&c| counts[c] > 0);
                    assert!(hidden_cells > 0 || !nonzero, "{counts:?} {hidden:?}");
                } else {
                    let sum: i64 = g
                        .cells
                        .iter()
                        .filter(|&&c| hidden[c])
                        .map(|&c| counts[c])
                        .sum();
                    assert!(hidden_cells != 1, "{counts:?} {hidden:?}");
                    assert!(hidden_cells == 0 || sum >= 5, "{counts:?} {hidden:?}");
                }
            }
        }
    }
}
