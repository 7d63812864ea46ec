package io.loomsocket.web;

/** An unknown or malformed setting, found at start-up. The message names the setting, where it came from, and what is expected. */
public class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }

    public SettingsException(String message, Throwable cause) {
        super(message, cause);
    }
}
