"""People: career ladder, 1:1 check-ins, 360-degree reviews, calibration, growth plans, job descriptions."""
