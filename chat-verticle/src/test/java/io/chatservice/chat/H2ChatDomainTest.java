package io.chatservice.chat;

import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.testing.TestDatabases;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Chat domain on embedded H2")
class H2ChatDomainTest extends ChatDomainContract {
  @Override
  protected DatabaseConfig freshDatabase() {
    return TestDatabases.h2();
  }
}
