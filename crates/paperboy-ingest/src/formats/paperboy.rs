//! paperboy's own export format (see [`paperboy_core::record`]).

use paperboy_core::record::{FORMAT_VERSION, Record};

use super::{LineContext, LineFormat, Parsed};

/// The export format: JSON Lines of [`Record`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaperboyExport;

impl LineFormat for PaperboyExport {
    fn parse_line(
        &self,
        line: &str,
        number: u64,
        _ctx: &LineContext,
        out: &mut Parsed,
    ) -> Result<(), String> {
        match serde_json::from_str::<Record>(line).map_err(|e| e.to_string())? {
            Record::PaperboyExport { version, .. } if version > FORMAT_VERSION => Err(format!(
                "written by a newer paperboy (export format {version}, this one reads up to {FORMAT_VERSION}); \
                 upgrade paperboy to import it"
            )),
            Record::PaperboyExport { .. } => Ok(()),
            Record::Paper(paper) => {
                out.push_paper(number, *paper);
                Ok(())
            }
            Record::DailyEntry(entry) => {
                out.push_entry(entry);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_records_and_refuses_newer_formats() {
        let mut out = Parsed::default();
        let ctx = LineContext::default();
        PaperboyExport
            .parse_line(
                r#"{"type":"paperboy_export","version":1,"exported_at":"2026-01-01T00:00:00Z"}"#,
                1,
                &ctx,
                &mut out,
            )
            .unwrap();
        PaperboyExport
            .parse_line(
                r#"{"type":"paper","id":"2401.00001","title":"T","summary":"S","authors":[]}"#,
                2,
                &ctx,
                &mut out,
            )
            .unwrap();
        PaperboyExport
            .parse_line(
                r#"{"type":"daily_entry","date":"2024-01-02","paper_id":"2401.00001"}"#,
                3,
                &ctx,
                &mut out,
            )
            .unwrap();
        assert_eq!((out.batch.papers.len(), out.batch.entries.len()), (1, 1));
        let err = PaperboyExport
            .parse_line(
                r#"{"type":"paperboy_export","version":99,"exported_at":"2026-01-01T00:00:00Z"}"#,
                1,
                &ctx,
                &mut out,
            )
            .unwrap_err();
        assert!(err.contains("newer paperboy"));
        assert!(
            PaperboyExport
                .parse_line(r#"{"type":"paper","id":"bad"}"#, 4, &ctx, &mut out)
                .is_err()
        );
    }
}
