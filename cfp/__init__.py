"""The call for proposals: tracks with extendable or hard deadlines, proposals, reviews,
conflicts and the reviewers' triage area.

Above microconferences (an MC's own track is reviewed by its leads); registration reads the
accepted speakers from it for the priority rules."""
