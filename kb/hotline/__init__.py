"""The live hotline: calls, referrals (转办单) and their reminders, routing to departments, departments, who may see a caller's identity, the audit trail, and reports to the director."""
