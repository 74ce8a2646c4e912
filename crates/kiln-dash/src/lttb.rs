//! Largest-Triangle-Three-Buckets (Steinarsson, 2013): keeps the points that shape a line, so a
//! series of a million points draws as a few thousand without losing its peaks and dips.

/// The indices of at most `threshold` points of `(x, y)` to keep, first and last always among
/// them. Points must be in `x` order. Fewer points than the threshold are all kept.
pub fn lttb(points: &[(f64, f64)], threshold: usize) -> Vec<usize> {
    let n = points.len();
    if threshold >= n || threshold < 3 {
        return (0..n).collect();
    }
    let mut kept = Vec::with_capacity(threshold);
    kept.push(0);
    // The middle points fall into threshold - 2 buckets of (nearly) equal size.
    let every = (n - 2) as f64 / (threshold - 2) as f64;
    let mut a = 0usize;
    for bucket in 0..threshold - 2 {
        let start = (bucket as f64 * every) as usize + 1;
        let end = (((bucket + 1) as f64 * every) as usize + 1).min(n - 1);
        // The next bucket's average is the third corner of every triangle.
        let next_start = end;
        let next_end = (((bucket + 2) as f64 * every) as usize + 1).min(n);
        let span = &points[next_start..next_end.max(next_start + 1).min(n)];
        let (sx, sy) = span.iter().fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
        let count = span.len().max(1) as f64;
        let (cx, cy) = (sx / count, sy / count);
        let (ax, ay) = points[a];
        let mut best = start;
        let mut best_area = -1.0;
        for (k, (bx, by)) in points.iter().enumerate().take(end.max(start + 1)).skip(start) {
            let area = ((ax - cx) * (by - ay) - (ax - bx) * (cy - ay)).abs();
            if area > best_area {
                best_area = area;
                best = k;
            }
        }
        kept.push(best);
        a = best;
    }
    kept.push(n - 1);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_everything_below_the_threshold() {
        let points: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, i as f64)).collect();
        assert_eq!(lttb(&points, 20), (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn keeps_first_last_and_the_spike() {
        let mut points: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, (i as f64 / 500.0).sin())).collect();
        points[7_777].1 = 50.0;
        let kept = lttb(&points, 500);
        assert_eq!(kept.len(), 500);
        assert_eq!((kept[0], kept[499]), (0, 9_999));
        assert!(kept.contains(&7_777), "the spike survives");
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "in x order, no repeats");
    }
}
