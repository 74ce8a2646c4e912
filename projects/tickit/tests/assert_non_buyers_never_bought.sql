-- dim_non_buyers holds only users with no sale as a buyer

select n.user_id
from {{ ref('dim_non_buyers') }} as n
    join {{ ref('stg_tickit__sales') }} as s on s.buyer_id = n.user_id
