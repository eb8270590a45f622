"""The grounds a threshold decision records: met, not met, or one of the policy's decline grounds
(`decline_grounds`: vexatious, malicious, …) for a request declined whatever the threshold says."""

MET_GROUND = "threshold_met"
NOT_MET_GROUND = "threshold_not_met"
