package io.chatservice.chat;

import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.testing.TestDatabases;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Chat domain on PostgreSQL (skipped when unreachable, required under CI=true)")
class PostgresChatDomainTest extends ChatDomainContract {
  @Override
  protected DatabaseConfig freshDatabase() {
    return TestDatabases.postgres();
  }
}
