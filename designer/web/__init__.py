"""Serves the browser app built from frontend/ (Vite, into frontend/dist): index.html for every SPA route."""
