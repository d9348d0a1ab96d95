//! Bar charts drawn on the server as SVG, readable without JavaScript. A
//! chart is drawn from the same rows its table shows beside it (the text
//! alternative), so the two cannot disagree; a suppressed count is drawn as
//! an outlined bar marked "< threshold", never as a number.

/// A count as shown: a number, or held back because it is too small to
/// publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Count(i64),
    Suppressed,
}

impl Cell {
    pub fn of(count: Option<i64>) -> Self {
        count.map_or(Cell::Suppressed, Cell::Count)
    }
}

/// One row of a chart: a label, one cell per series, and optionally the
/// page that lists what it counts.
pub struct Row {
    pub label: String,
    pub cells: Vec<Cell>,
    pub link: Option<String>,
}

/// A horizontal bar chart with its table.
pub struct Chart {
    /// The id of its heading, which names the chart and the table.
    pub id: &'static str,
    pub title: String,
    /// The heading of the table's first column (what a row is).
    pub heading: &'static str,
    /// The name of each series, in the order of the cells.
    pub series: Vec<&'static str>,
    pub rows: Vec<Row>,
    /// What a suppressed cell says, e.g. "< 5".
    pub suppressed: String,
}

/// Where a bar of the chart is drawn.
pub struct Bar {
    pub y: usize,
    pub width: usize,
    /// Where its text goes, right of the bar.
    pub text_x: usize,
    pub text: String,
    pub fill: &'static str,
    pub suppressed: bool,
}

/// A row as drawn: its label's position and its bars.
pub struct Drawn {
    pub label: String,
    pub label_y: usize,
    pub bars: Vec<Bar>,
}

/// The series' colours: a 3:1 contrast or more against white (WCAG 1.4.11).
const FILLS: [&str; 3] = ["#1a3a6b", "#a34700", "#2e6b30"];
const BAR: usize = 16;
const ROW_GAP: usize = 10;
/// Where the bars start: the labels are left of it.
const LEFT: usize = 190;
const WIDTH: usize = 640;
const SPAN: usize = WIDTH - LEFT - 70;

impl Chart {
    fn fill(&self, series: usize) -> &'static str {
        FILLS[series % FILLS.len()]
    }

    /// Each series with its colour.
    pub fn legend(&self) -> Vec<(&'static str, &'static str)> {
        (self.series.iter().enumerate())
            .map(|(i, name)| (*name, self.fill(i)))
            .collect()
    }

    pub fn width(&self) -> usize {
        WIDTH
    }

    pub fn left(&self) -> usize {
        LEFT
    }

    fn row_height(&self) -> usize {
        self.series.len().max(1) * BAR + ROW_GAP
    }

    pub fn height(&self) -> usize {
        self.rows.len().max(1) * self.row_height() + ROW_GAP
    }

    pub fn drawn(&self) -> Vec<Drawn> {
        let largest = self
            .rows
            .iter()
            .flat_map(|row| &row.cells)
            .filter_map(|cell| match cell {
                Cell::Count(n) => Some(*n),
                Cell::Suppressed => None,
            })
            .max()
            .unwrap_or(0)
            .max(1);
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let top = ROW_GAP + i * self.row_height();
                let bars = row
                    .cells
                    .iter()
                    .enumerate()
                    .map(|(s, cell)| {
                        let (width, text, suppressed) = match cell {
                            Cell::Count(n) => {
                                let width = (*n as usize * SPAN) / largest as usize;
                                (width, n.to_string(), false)
                            }
                            Cell::Suppressed => (SPAN / 40, self.suppressed.clone(), true),
                        };
                        Bar {
                            y: top + s * BAR,
                            width,
                            text_x: LEFT + width + 6,
                            text,
                            fill: self.fill(s),
                            suppressed,
                        }
                    })
                    .collect();
                Drawn {
                    label: shorten(&row.label),
                    label_y: top + self.series.len() * BAR / 2 + 4,
                    bars,
                }
            })
            .collect()
    }

    pub fn shown(&self, cell: &Cell) -> String {
        match cell {
            Cell::Count(n) => n.to_string(),
            Cell::Suppressed => self.suppressed.clone(),
        }
    }
}

/// A label that fits left of the bars; the table has it whole.
fn shorten(label: &str) -> String {
    const FITS: usize = 26;
    if label.chars().count() <= FITS {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(FITS - 1).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(cells: Vec<Cell>) -> Chart {
        Chart {
            id: "test",
            title: "Test".into(),
            heading: "Rij",
            series: vec!["aantal"],
            rows: cells
                .into_iter()
                .enumerate()
                .map(|(i, cell)| Row {
                    label: format!("rij {i}"),
                    cells: vec![cell],
                    link: None,
                })
                .collect(),
            suppressed: "< 5".into(),
        }
    }

    #[test]
    fn the_largest_count_spans_the_chart_and_the_others_scale() {
        let drawn = chart(vec![Cell::Count(10), Cell::Count(5), Cell::Count(0)]).drawn();
        assert_eq!(drawn[0].bars[0].width, SPAN);
        assert_eq!(drawn[1].bars[0].width, SPAN / 2);
        assert_eq!(drawn[2].bars[0].width, 0);
        assert_eq!(drawn[1].bars[0].text, "5");
    }

    #[test]
    fn a_suppressed_count_is_drawn_as_suppressed_never_as_a_number() {
        let drawn = chart(vec![Cell::Count(7), Cell::Suppressed]).drawn();
        let bar = &drawn[1].bars[0];
        assert!(bar.suppressed);
        assert_eq!(bar.text, "< 5");
        assert_eq!(Cell::of(None), Cell::Suppressed);
    }
}
