"""The district at a glance: the case map (一图感知, `map_view`) and the operations-centre screen (一屏,
`screen_view`). Read models over the projections (cases, work items, escalations, org units), bounded
by indexes and limits; docs/map-and-screen.md."""
