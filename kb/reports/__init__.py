"""What the director reads and signs: the 《12366信息专报》, the five 100% promises, the agents' appraisal and pay, the query log and its gaps, and demo records."""
