"""CongVan signing server: HSM-held keys behind the CSC API v1, unlocked per signature by OTP."""
