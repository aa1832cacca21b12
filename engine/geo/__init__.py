"""The district's geometry: streets, communities and grid cells as GeoJSON polygons (configuration,
validated when the organisation is read), the point-in-polygon lookup that finds a report's grid cell
(shapely), and the geohash that indexes case points. Pure: no database, no Flask."""
