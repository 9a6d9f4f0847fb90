"""One runner per insight (trends, funnels, retention, stickiness, lifecycle), each written once as portable SQL."""
