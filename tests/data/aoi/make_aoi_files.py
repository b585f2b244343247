"""Writes the AOI test files of this folder (run once; the files are committed).

python tests/data/aoi/make_aoi_files.py

- field_and_pin.kml / .kmz: a field and a label pin inside it, as Google Earth Pro writes them
  (Document with shared styles, a Folder, Placemarks; the KMZ holds doc.kml).
- fields_and_samples.gpkg: a polygon layer ``fields``, a point layer ``samples`` and QGIS's
  ``layer_styles`` table (an attributes table in gpkg_contents, as QGIS saves styles).
- field_3857.geojson: a field in Web Mercator with the 2008 ``{"type": "EPSG"}`` crs member.
- field_utm_noprj.zip: a zipped Shapefile in UTM 32N metres whose .prj was lost.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

HERE = Path(__file__).parent
FIELD = shapely.Polygon([(10.0, 50.0), (10.025, 50.0), (10.025, 50.0161), (10.0, 50.0161)])  # ≈ 3.2 km²
PIN = (10.012, 50.008)
FIELDS = [shapely.box(8.0, 47.0, 8.04, 47.03), shapely.box(8.1, 47.0, 8.14, 47.0289)]  # ≈ 19.9 km²
SAMPLES = [(8.02, 47.015), (8.12, 47.01), (8.3, 47.1), (8.5, 47.2)]

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2" xmlns:kml="http://www.opengis.net/kml/2.2" xmlns:atom="http://www.w3.org/2005/Atom">
<Document>
	<name>{name}</name>
	<Style id="s_ylw-pushpin">
		<IconStyle>
			<scale>1.1</scale>
			<Icon>
				<href>http://maps.google.com/mapfiles/kml/pushpin/ylw-pushpin.png</href>
			</Icon>
			<hotSpot x="20" y="2" xunits="pixels" yunits="pixels"/>
		</IconStyle>
	</Style>
	<Style id="poly_field">
		<LineStyle>
			<color>ff00ffff</color>
			<width>2</width>
		</LineStyle>
		<PolyStyle>
			<color>4000ffff</color>
		</PolyStyle>
	</Style>
	<Folder>
		<name>North field</name>
		<open>1</open>
		<Placemark>
			<name>North field</name>
			<styleUrl>#poly_field</styleUrl>
			<Polygon>
				<tessellate>1</tessellate>
				<outerBoundaryIs>
					<LinearRing>
						<coordinates>
							{ring}
						</coordinates>
					</LinearRing>
				</outerBoundaryIs>
			</Polygon>
		</Placemark>
		<Placemark>
			<name>Field label</name>
			<LookAt>
				<longitude>{pin_lon}</longitude>
				<latitude>{pin_lat}</latitude>
				<altitude>0</altitude>
				<heading>0</heading>
				<tilt>0</tilt>
				<range>2500</range>
				<gx:altitudeMode>relativeToSeaFloor</gx:altitudeMode>
			</LookAt>
			<styleUrl>#s_ylw-pushpin</styleUrl>
			<Point>
				<gx:drawOrder>1</gx:drawOrder>
				<coordinates>{pin_lon},{pin_lat},0</coordinates>
			</Point>
		</Placemark>
	</Folder>
</Document>
</kml>
"""


def kml_text(name: str) -> str:
    ring = " ".join(f"{x},{y},0" for x, y in FIELD.exterior.coords[::-1])  # Google Earth draws clockwise
    return KML.format(name=name, ring=ring, pin_lon=PIN[0], pin_lat=PIN[1])


def main() -> None:
    (HERE / "field_and_pin.kml").write_text(kml_text("field_and_pin.kml"))
    with zipfile.ZipFile(HERE / "field_and_pin.kmz", "w", zipfile.ZIP_DEFLATED) as kmz:
        kmz.writestr("doc.kml", kml_text("field_and_pin.kmz"))

    gpkg = HERE / "fields_and_samples.gpkg"
    gpkg.unlink(missing_ok=True)
    fields = gpd.GeoDataFrame({"name": ["east", "west"]}, geometry=FIELDS, crs=4326)
    samples = gpd.GeoDataFrame({"name": [f"s{i}" for i in range(len(SAMPLES))]},
                               geometry=[shapely.Point(p) for p in SAMPLES], crs=4326)
    pyogrio.write_dataframe(fields, gpkg, layer="fields")
    pyogrio.write_dataframe(samples, gpkg, layer="samples")
    with sqlite3.connect(gpkg) as db:  # what QGIS adds when a style is saved in the GeoPackage
        db.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT, "
                   "f_table_schema TEXT, f_table_name TEXT, f_geometry_column TEXT, styleName TEXT, styleQML TEXT, "
                   "styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, update_time DATETIME)")
        db.execute("INSERT INTO layer_styles (f_table_name, f_geometry_column, styleName, styleQML, useAsDefault) "
                   "VALUES ('fields', 'geom', 'fields', '<qgis/>', 1)")
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                   "VALUES ('layer_styles', 'attributes', 'layer_styles')")

    field_3857 = gpd.GeoSeries([FIELD], crs=4326).to_crs(3857).iloc[0]
    doc = {"type": "FeatureCollection", "crs": {"type": "EPSG", "properties": {"code": 3857}},
           "features": [{"type": "Feature", "properties": {"name": "field"},
                         "geometry": json.loads(shapely.to_geojson(field_3857))}]}
    (HERE / "field_3857.geojson").write_text(json.dumps(doc, indent=1))

    folder = HERE / "_shp"
    folder.mkdir(exist_ok=True)
    pyogrio.write_dataframe(gpd.GeoDataFrame(geometry=[FIELD], crs=4326).to_crs(32632), folder / "field.shp")
    with zipfile.ZipFile(HERE / "field_utm_noprj.zip", "w") as archive:
        for part in sorted(folder.iterdir()):
            if part.suffix != ".prj":
                archive.write(part, part.name)
            part.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
