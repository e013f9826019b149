//! The line search of MINPACK-2's `dcsrch` (Moré and Thuente 1994), as scipy 1.17 ports it
//! (`scipy.optimize._dcsrch`): a step satisfying the strong Wolfe conditions, found by
//! safeguarded cubic and quadratic interpolation. scipy's `line_search_wolfe1` runs it.
//!
//! ```
//! use nucagree::stats::line_search::dcsrch;
//!
//! // φ(s) = (s − 2)², from s = 0 with slope −4: the minimum is at 2.
//! let phi = |s: f64| (s - 2.0) * (s - 2.0);
//! let derphi = |s: f64| 2.0 * (s - 2.0);
//! let found = dcsrch(&mut |s| (phi(s), derphi(s)), 1.0, 4.0, -4.0, 1e-4, 0.4, 1e-14, 1e-100, 1e100, 100);
//! let (step, value) = found.unwrap();
//! assert!(value < 4.0 && (step - 2.0).abs() < 1.0);
//! ```

/// Searches from `step` along a line whose value and slope at 0 are `phi0` and `derphi0`;
/// `evaluate(s)` gives the value and slope at `s`. Returns the step and its value, or `None`
/// where scipy returns `None` (an error, a warning, or no convergence in `max_iterations`).
#[allow(clippy::too_many_arguments)]
pub fn dcsrch(
    evaluate: &mut dyn FnMut(f64) -> (f64, f64),
    step: f64,
    phi0: f64,
    derphi0: f64,
    ftol: f64,
    gtol: f64,
    xtol: f64,
    stpmin: f64,
    stpmax: f64,
    max_iterations: usize,
) -> Option<(f64, f64)> {
    if step < stpmin || step > stpmax || derphi0 >= 0.0 || stpmax < stpmin {
        return None;
    }
    let (p5, p66, xtrapl, xtrapu) = (0.5, 0.66, 1.1, 4.0);
    let mut brackt = false;
    let mut stage = 1;
    let (finit, ginit) = (phi0, derphi0);
    let gtest = ftol * ginit;
    let mut width = stpmax - stpmin;
    let mut width1 = width / p5;
    let (mut stx, mut fx, mut gx) = (0.0, finit, ginit);
    let (mut sty, mut fy, mut gy) = (0.0, finit, ginit);
    let mut stmin = 0.0;
    let mut stmax = step + xtrapu * step;
    let mut stp = step;
    // The START call returned FG: the first iteration evaluates at `step`; scipy counts
    // START as one of its iterations.
    for _ in 1..max_iterations {
        if !stp.is_finite() {
            return None;
        }
        let (f, g) = evaluate(stp);
        let ftest = finit + stp * gtest;
        if stage == 1 && f <= ftest && g >= 0.0 {
            stage = 2;
        }
        let mut warning = brackt && (stp <= stmin || stp >= stmax);
        warning |= brackt && stmax - stmin <= xtol * stmax;
        warning |= stp == stpmax && f <= ftest && g <= gtest;
        warning |= stp == stpmin && (f > ftest || g >= gtest);
        if f <= ftest && g.abs() <= gtol * -ginit {
            return Some((stp, f));
        }
        if warning {
            return None;
        }
        let next;
        if stage == 1 && f <= fx && f > ftest {
            let modified = Step {
                stx,
                fx: fx - stx * gtest,
                dx: gx - gtest,
                sty,
                fy: fy - sty * gtest,
                dy: gy - gtest,
            };
            let (m, s, b) = dcstep(
                modified,
                stp,
                f - stp * gtest,
                g - gtest,
                brackt,
                stmin,
                stmax,
            );
            stx = m.stx;
            sty = m.sty;
            fx = m.fx + stx * gtest;
            fy = m.fy + sty * gtest;
            gx = m.dx + gtest;
            gy = m.dy + gtest;
            next = s;
            brackt = b;
        } else {
            let current = Step {
                stx,
                fx,
                dx: gx,
                sty,
                fy,
                dy: gy,
            };
            let (m, s, b) = dcstep(current, stp, f, g, brackt, stmin, stmax);
            (stx, fx, gx, sty, fy, gy) = (m.stx, m.fx, m.dx, m.sty, m.fy, m.dy);
            next = s;
            brackt = b;
        }
        stp = next;
        if brackt {
            if (sty - stx).abs() >= p66 * width1 {
                stp = stx + p5 * (sty - stx);
            }
            width1 = width;
            width = (sty - stx).abs();
        }
        if brackt {
            stmin = stx.min(sty);
            stmax = stx.max(sty);
        } else {
            stmin = stp + xtrapl * (stp - stx);
            stmax = stp + xtrapu * (stp - stx);
        }
        stp = clip(stp, stpmin, stpmax);
        if brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= xtol * stmax) {
            stp = stx;
        }
    }
    None
}

/// The interval's ends: the best step so far and the other end, with values and slopes.
#[derive(Debug, Clone, Copy)]
struct Step {
    stx: f64,
    fx: f64,
    dx: f64,
    sty: f64,
    fy: f64,
    dy: f64,
}

/// numpy's `clip`: NaN stays NaN, and a lower bound above the upper gives the upper.
fn clip(x: f64, low: f64, high: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.max(low).min(high)
    }
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x
    }
}

/// MINPACK-2's `dcstep`: the next trial step and the updated interval.
fn dcstep(
    ends: Step,
    stp: f64,
    fp: f64,
    dp: f64,
    brackt: bool,
    stpmin: f64,
    stpmax: f64,
) -> (Step, f64, bool) {
    let Step {
        mut stx,
        mut fx,
        mut dx,
        mut sty,
        mut fy,
        mut dy,
    } = ends;
    let mut brackt = brackt;
    let sgnd = sign(dp) * sign(dx);
    let stpf;
    if fp > fx {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
        if stp < stx {
            gamma = -gamma;
        }
        let p = (gamma - dx) + theta;
        let q = ((gamma - dx) + gamma) + dp;
        let r = p / q;
        let stpc = stx + r * (stp - stx);
        let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        stpf = if (stpc - stx).abs() <= (stpq - stx).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        };
        brackt = true;
    } else if sgnd < 0.0 {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dx;
        let r = p / q;
        let stpc = stp + r * (stx - stp);
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
            stpc
        } else {
            stpq
        };
        brackt = true;
    } else if dp.abs() < dx.abs() {
        let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        let s = theta.abs().max(dx.abs()).max(dp.abs());
        let mut gamma = s * (0f64).max((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
        if stp > stx {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = (gamma + (dx - dp)) + gamma;
        let r = p / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp + r * (stx - stp)
        } else if stp > stx {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if brackt {
            let chosen = if (stpc - stp).abs() < (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = if stp > stx {
                (stp + 0.66 * (sty - stp)).min(chosen)
            } else {
                (stp + 0.66 * (sty - stp)).max(chosen)
            };
        } else {
            let chosen = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            stpf = clip(chosen, stpmin, stpmax);
        }
    } else if brackt {
        let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
        let s = theta.abs().max(dy.abs()).max(dp.abs());
        let mut gamma = s * ((theta / s).powi(2) - (dy / s) * (dp / s)).sqrt();
        if stp > sty {
            gamma = -gamma;
        }
        let p = (gamma - dp) + theta;
        let q = ((gamma - dp) + gamma) + dy;
        let r = p / q;
        stpf = stp + r * (sty - stp);
    } else if stp > stx {
        stpf = stpmax;
    } else {
        stpf = stpmin;
    }
    if fp > fx {
        sty = stp;
        fy = fp;
        dy = dp;
    } else {
        if sgnd < 0.0 {
            sty = stx;
            fy = fx;
            dy = dx;
        }
        stx = stp;
        fx = fp;
        dx = dp;
    }
    (
        Step {
            stx,
            fx,
            dx,
            sty,
            fy,
            dy,
        },
        stpf,
        brackt,
    )
}
